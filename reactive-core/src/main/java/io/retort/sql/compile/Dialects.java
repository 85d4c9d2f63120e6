package io.retort.sql.compile;

import io.retort.error.ArgumentError;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** Looks up dialects through the registered {@link DialectProvider}s. */
public final class Dialects {
    private static final List<DialectProvider> PROVIDERS = load();

    private Dialects() {
    }

    private static List<DialectProvider> load() {
        List<DialectProvider> l = new ArrayList<>();
        ServiceLoader.load(DialectProvider.class, Dialects.class.getClassLoader()).forEach(l::add);
        return List.copyOf(l);
    }

    /** The dialect of {@code productName}; an {@link ArgumentError} naming the known products if none matches. */
    public static Dialect forProduct(String productName) {
        for (DialectProvider p : PROVIDERS) {
            Optional<Dialect> d = p.dialectFor(productName);
            if (d.isPresent()) {
                return d.get();
            }
        }
        throw new ArgumentError("No Retort dialect for database '" + productName + "'; add io.retort:r2dbc-dialects"
                + " to the classpath or give the dialect explicitly (providers found: " + PROVIDERS.size() + ")");
    }
}
