package io.retort.examples.chinook;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.Statement;
import io.retort.dialect.h2.H2Dialect;
import io.retort.sql.Select;
import io.retort.sql.TableAlias;
import io.retort.sql.compile.BoundStatement;
import io.retort.sql.compile.StatementCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.retort.examples.chinook.ChinookSchema.ALBUM;
import static io.retort.examples.chinook.ChinookSchema.ARTIST;
import static io.retort.examples.chinook.ChinookSchema.CUSTOMER;
import static io.retort.examples.chinook.ChinookSchema.EMPLOYEE;
import static io.retort.examples.chinook.ChinookSchema.INVOICE;
import static io.retort.examples.chinook.ChinookSchema.INVOICE_LINE;
import static io.retort.examples.chinook.ChinookSchema.TRACK;
import static io.retort.sql.Sql.count;
import static io.retort.sql.Sql.select;
import static io.retort.sql.Sql.sum;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loads Chinook into a fresh in-memory H2 database through r2dbc-h2 and checks the data against
 * the source scripts: row counts, the text of tricky values, money and the employee hierarchy.
 * The expected values were computed from {@code Chinook_MySql.sql} / {@code Chinook_PostgreSql.sql}
 * independently of the converter (see {@code chinook/README.md}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChinookLoaderTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** The README's row counts, in load order. */
    private static final Map<String, Long> ROW_COUNTS = orderedMap(
            "artist", 275L, "genre", 25L, "media_type", 5L, "playlist", 18L, "employee", 8L, "album", 347L,
            "track", 3503L, "customer", 59L, "invoice", 412L, "invoice_line", 2240L, "playlist_track", 8715L);

    private final StatementCache cache = new StatementCache(100);
    private Connection connection;

    @BeforeAll
    void load() {
        String url = "r2dbc:h2:mem:///chinook_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        connection = Mono.from(ConnectionFactories.get(url).create()).block(TIMEOUT);
        long start = System.nanoTime();
        StepVerifier.create(new ChinookLoader(cache, ChinookLoader.DEFAULT_ROWS_PER_INSERT).load(connection))
                .assertNext(counts -> assertThat(counts).containsExactlyEntriesOf(ROW_COUNTS))
                .expectComplete()
                .verify(TIMEOUT);
        System.out.printf("ChinookLoaderTest: loaded Chinook into H2 in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    void shutdown() {
        if (connection != null) {
            Flux.from(connection.createStatement("SHUTDOWN").execute()).then()
                    .onErrorResume(e -> Mono.empty())
                    .then(Mono.from(connection.close()).onErrorResume(e -> Mono.empty()))
                    .block(TIMEOUT);
        }
    }

    @Test
    void everyTableHasTheReadmeRowCount() {
        Flux<Map.Entry<String, Long>> counted = Flux.fromIterable(ChinookSchema.TABLES)
                .concatMap(t -> single(select(count()).from(t), Long.class).map(n -> Map.entry(t.name(), n)));
        StepVerifier.create(counted.collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new))
                .assertNext(counts -> assertThat(counts).containsExactlyEntriesOf(ROW_COUNTS))
                .verifyComplete();
    }

    @Test
    void backslashesInTrackNamesAreKeptLiterally() {
        // The scripts write these with a single '\', which is a literal character in standard SQL
        // (MySQL's default sql_mode would drop it).
        Map<Integer, String> expected = orderedMap(
                3435, "Cavalleria Rusticana \\ Act \\ Intermezzo Sinfonico",
                3448, "Lamentations of Jeremiah, First Set \\ Incipit Lamentatio",
                3485, "Symphony No. 3 Op. 36 for Orchestra and Soprano \"Symfonia Piesni Zalosnych\" \\ Lento E Largo - Tranquillissimo",
                3499, "Pini Di Roma (Pinien Von Rom) \\ I Pini Della Via Appia");
        Flux<Object[]> rows = rows(select(TRACK.trackId, TRACK.name).where(TRACK.name.contains("\\", true))
                .orderBy(TRACK.trackId));
        StepVerifier.create(rows.collectList())
                .assertNext(list -> {
                    assertThat(list).extracting(r -> r[0]).containsExactlyElementsOf(expected.keySet());
                    for (Object[] r : list) {
                        byte[] actual = ((String) r[1]).getBytes(StandardCharsets.UTF_8);
                        assertThat(actual).as("track %s", r[0])
                                .isEqualTo(expected.get((Integer) r[0]).getBytes(StandardCharsets.UTF_8));
                    }
                    assertThat(list.get(0)[1].toString().chars().filter(c -> c == 0x5C).count()).isEqualTo(2);
                })
                .verifyComplete();
    }

    @Test
    void textIsKeptExactly() {
        // Customer 54's city has a trailing blank in both scripts (PostgreSQL drops it on load, see
        // the dataset README); H2 VARCHAR keeps it, as MariaDB does.
        StepVerifier.create(single(select(CUSTOMER.city).where(CUSTOMER.customerId.eq(54)), String.class))
                .expectNext("Edinburgh ")
                .verifyComplete();
        StepVerifier.create(rows(select(INVOICE.invoiceId).where(INVOICE.billingCity.eq("Edinburgh "))).count())
                .expectNext(7L)
                .verifyComplete();
        // Quotes doubled in the SQL, a ';' that r2dbc-h2 would split a literal at, non-ASCII letters.
        StepVerifier.create(single(select(ARTIST.name).where(ARTIST.artistId.eq(88)), String.class))
                .expectNext("Guns N' Roses")
                .verifyComplete();
        StepVerifier.create(single(select(TRACK.composer).where(TRACK.trackId.eq(1373)), String.class))
                .expectNext("Adrian Smith; Bruce Dickinson; Steve Harris")
                .verifyComplete();
        StepVerifier.create(single(select(CUSTOMER.lastName).where(CUSTOMER.customerId.eq(1)), String.class))
                .expectNext("Gonçalves")
                .verifyComplete();
        StepVerifier.create(single(select(count()).from(TRACK).where(TRACK.composer.isNull()), Long.class))
                .expectNext(977L)
                .verifyComplete();
    }

    @Test
    void moneyAndDates() {
        // SUM(total) computed from the source script with awk (the README of chinook/ shows how).
        StepVerifier.create(single(select(sum(INVOICE.total)), BigDecimal.class))
                .assertNext(total -> assertThat(total).isEqualByComparingTo("2328.60"))
                .verifyComplete();
        // Every line has quantity 1, so the lines' prices add up to the same total.
        StepVerifier.create(rows(select(sum(INVOICE_LINE.unitPrice), sum(INVOICE_LINE.quantity))))
                .assertNext(r -> {
                    assertThat((BigDecimal) r[0]).isEqualByComparingTo("2328.60");
                    assertThat(((Number) r[1]).longValue()).isEqualTo(2240L);
                })
                .verifyComplete();
        StepVerifier.create(rows(select(INVOICE.invoiceDate, INVOICE.total).where(INVOICE.invoiceId.eq(1))))
                .assertNext(r -> {
                    assertThat(r[0]).isEqualTo(LocalDateTime.of(2021, 1, 1, 0, 0));
                    assertThat(r[1]).isEqualTo(new BigDecimal("1.98"));
                })
                .verifyComplete();
    }

    @Test
    void employeeHierarchy() {
        TableAlias boss = EMPLOYEE.as("boss");
        Select q = select(EMPLOYEE.employeeId, EMPLOYEE.firstName, EMPLOYEE.lastName, EMPLOYEE.reportsTo,
                boss.col(EMPLOYEE.lastName))
                .from(EMPLOYEE.leftJoin(boss, EMPLOYEE.reportsTo.eq(boss.col(EMPLOYEE.employeeId))))
                .orderBy(EMPLOYEE.employeeId);
        StepVerifier.create(rows(q).map(Arrays::asList).collectList())
                .assertNext(list -> assertThat(list).containsExactly(
                        Arrays.asList(1, "Andrew", "Adams", null, null),
                        List.of(2, "Nancy", "Edwards", 1, "Adams"),
                        List.of(3, "Jane", "Peacock", 2, "Edwards"),
                        List.of(4, "Margaret", "Park", 2, "Edwards"),
                        List.of(5, "Steve", "Johnson", 2, "Edwards"),
                        List.of(6, "Michael", "Mitchell", 1, "Adams"),
                        List.of(7, "Robert", "King", 6, "Mitchell"),
                        List.of(8, "Laura", "Callahan", 6, "Mitchell")))
                .verifyComplete();
    }

    @Test
    void keysAndCommentsComeFromTheRetortDefinitions() {
        StepVerifier.create(rawRows("SELECT TABLE_NAME, REMARKS FROM INFORMATION_SCHEMA.TABLES "
                        + "WHERE TABLE_SCHEMA = 'PUBLIC' AND REMARKS IS NOT NULL ORDER BY TABLE_NAME")
                        .map(Arrays::asList).collectList())
                .assertNext(list -> assertThat(list).containsExactly(
                        List.of("ARTIST", "Recording artists"),
                        List.of("EMPLOYEE", "Staff of the store, with reports_to making the management hierarchy")))
                .verifyComplete();
        StepVerifier.create(rawRows("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS "
                        + "WHERE TABLE_SCHEMA = 'PUBLIC' AND CONSTRAINT_TYPE = 'FOREIGN KEY'").map(r -> r[0]))
                .expectNext(11L)
                .verifyComplete();
        StepVerifier.create(rawRows("SELECT COUNT(*) FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE k "
                        + "JOIN INFORMATION_SCHEMA.TABLE_CONSTRAINTS c ON c.CONSTRAINT_NAME = k.CONSTRAINT_NAME "
                        + "AND c.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA "
                        + "WHERE k.TABLE_NAME = 'PLAYLIST_TRACK' AND c.CONSTRAINT_TYPE = 'PRIMARY KEY'").map(r -> r[0]))
                .expectNext(2L)
                .verifyComplete();
        // A foreign key is enforced: an album of an artist that does not exist is refused.
        StepVerifier.create(rawRows("INSERT INTO album (album_id, title, artist_id) VALUES (1000, 'x', 9999)"))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("ARTIST"))
                .verify(TIMEOUT);
        StepVerifier.create(single(select(count()).from(ALBUM), Long.class)).expectNext(347L).verifyComplete();
    }

    // ----------------------------------------------------------------- helpers

    private <T> Mono<T> single(Select q, Class<T> type) {
        return rows(q).single().map(r -> type.cast(r[0]));
    }

    private Flux<Object[]> rows(Select q) {
        return Flux.defer(() -> {
            BoundStatement bound = cache.lookup(H2Dialect.INSTANCE, q).bind();
            Statement s = connection.createStatement(bound.sql());
            for (int i = 0; i < bound.values().length; i++) {
                s.bind(i, bound.values()[i]);
            }
            return fetch(s);
        });
    }

    private Flux<Object[]> rawRows(String sql) {
        return Flux.defer(() -> fetch(connection.createStatement(sql)));
    }

    private static Flux<Object[]> fetch(Statement s) {
        return Flux.from(s.execute()).concatMap(result -> result.map((row, meta) -> {
            List<Object> values = new ArrayList<>();
            for (int i = 0; i < meta.getColumnMetadatas().size(); i++) {
                values.add(row.get(i));
            }
            return values.toArray();
        }));
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Map<K, V> orderedMap(Object... keysAndValues) {
        Map<K, V> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((K) keysAndValues[i], (V) keysAndValues[i + 1]);
        }
        return m;
    }
}
