package io.retort.orm;

import io.retort.error.InvalidRequestError;

/**
 * A row of an inheritance hierarchy cannot become an object of the class asked for (O8, seed 1.4
 * "stricter behavior when querying inheritance mappings"): its discriminator value names no mapped
 * class of the hierarchy, or names a class that is not the requested class nor one of its
 * subclasses. Raised while rows are read; nothing is added to the session for that row. The
 * message names the value, the class it maps to and the class asked for: fix the data, or query
 * the hierarchy's root or the right subclass.
 */
public final class PolymorphicIdentityError extends InvalidRequestError {
    public PolymorphicIdentityError(String message) {
        super(message);
    }
}
