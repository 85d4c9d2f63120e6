package io.retort.tck.env;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of scratch namespaces: {@code t_<created>_<random>} schemas on PostgreSQL,
 * {@code retort_t_<created>_<random>} databases on MariaDB and H2. The creation time (epoch
 * seconds, base 36) is in the name so that a later run can drop what a killed JVM left behind
 * without touching the namespaces of a run still going on in another JVM.
 */
final class ScratchNames {

    /** Scratch namespaces older than this are left over from a dead run and may be dropped. */
    static final Duration STALE_AFTER = Duration.ofHours(24);

    private static final Pattern NAME = Pattern.compile("(?:retort_)?t_([0-9a-z]{1,12})_([0-9a-z]{10})");
    private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ScratchNames() {
    }

    /** The prefix of every scratch namespace of {@code backend}; MariaDB grants on it. */
    static String prefix(Backend backend) {
        return backend == Backend.POSTGRES ? "t_" : "retort_t_";
    }

    /** A new name, unique across JVMs for all practical purposes (36^10 random suffixes). */
    static String newName(Backend backend, Instant now) {
        StringBuilder sb = new StringBuilder(prefix(backend))
                .append(Long.toString(now.getEpochSecond(), 36)).append('_');
        for (int i = 0; i < 10; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** When a scratch namespace was made, or empty if {@code name} is not one of ours. */
    static Optional<Instant> createdAt(Backend backend, String name) {
        if (!name.startsWith(prefix(backend))) {
            return Optional.empty();
        }
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochSecond(Long.parseLong(m.group(1), 36)));
    }

    /** Whether {@code name} is ours and older than {@link #STALE_AFTER}, so safe to drop. */
    static boolean isStale(Backend backend, String name, Instant now) {
        return createdAt(backend, name).map(t -> t.plus(STALE_AFTER).isBefore(now)).orElse(false);
    }
}
