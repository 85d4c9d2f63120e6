package io.retort.examples.webflux;

import io.retort.error.DataError;
import io.retort.error.DeadlockError;
import io.retort.error.IntegrityError;
import io.retort.error.OperationalError;
import io.retort.error.SerializationError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Retort's typed errors as HTTP answers (RFC 9457 problem details). The class of the error says
 * what the client can do: a constraint violation is the client's conflict (409), bad data is its
 * mistake (400), a deadlock or serialization failure is worth a retry (409 too, said so), and a
 * database that is unreachable or saturated is the service's (503). The database's own message
 * stays in the log: it can name tables and values the client should not see.
 */
@RestControllerAdvice
public class ApiErrors {
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    /** A unique or foreign-key violation, e.g. two PUTs creating the same playlist at once. */
    @ExceptionHandler(IntegrityError.class)
    public ProblemDetail conflict(IntegrityError e) {
        LOG.info("Integrity error answered with 409: {}", e.getMessage());
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "The change conflicts with the data already stored");
    }

    /** A value the database refused (too long, out of range, not convertible). */
    @ExceptionHandler(DataError.class)
    public ProblemDetail badData(DataError e) {
        LOG.info("Data error answered with 400: {}", e.getMessage());
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "A value was refused by the database");
    }

    /** Lost a race with another transaction: nothing was written, and the same request may be retried. */
    @ExceptionHandler({DeadlockError.class, SerializationError.class})
    public ProblemDetail retry(OperationalError e) {
        LOG.info("Transaction conflict answered with 409: {}", e.getMessage());
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "A concurrent change got there first; retry the request");
    }

    /** No connection, a pool timeout, a lost connection: the service cannot answer now. */
    @ExceptionHandler(OperationalError.class)
    public ProblemDetail unavailable(OperationalError e) {
        LOG.warn("Database unavailable, answered with 503: {}", e.toString());
        return ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, "The database is not available; try again later");
    }
}
