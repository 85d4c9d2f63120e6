package io.retort.engine;

import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import io.retort.error.CancelledError;
import io.retort.error.ConnectionLostError;
import io.retort.error.DatabaseError;
import io.retort.error.DeadlockError;
import io.retort.error.IntegrityError;
import io.retort.error.LockTimeoutError;
import io.retort.error.RetortException;
import io.retort.error.SerializationError;
import io.retort.error.TimeoutError;
import io.retort.error.UnsupportedBindTypeError;
import io.retort.sql.compile.BoundStatement;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDate;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SQLSTATE / vendor-code table of RELIABILITY §0, and the B18 redaction, without a database. */
class ErrorTranslatorTest {

    private static RetortException pg(String state, String message) {
        // r2dbc-postgresql reports 57014 and 57P01 as non-transient resource errors (A4).
        return ErrorTranslator.translate(new R2dbcNonTransientResourceException(message, state, 0), "SELECT 1", null);
    }

    private static RetortException my(int code, String state, String message) {
        return ErrorTranslator.translate(new R2dbcTransientResourceException(message, state, code), "SELECT 1", null);
    }

    @Test // §0: PostgreSQL codes
    void postgresCodes() {
        assertThat(pg("57014", "canceling statement due to statement timeout")).isInstanceOf(TimeoutError.class);
        assertThat(pg("57014", "canceling statement due to user request")).isInstanceOf(CancelledError.class)
                .isNotInstanceOf(TimeoutError.class);
        assertThat(pg("55P03", "canceling statement due to lock timeout")).isInstanceOf(LockTimeoutError.class);
        RetortException deadlock = pg("40P01", "deadlock detected");
        assertThat(deadlock).isInstanceOf(DeadlockError.class);
        assertThat(((DatabaseError) deadlock).isRetryable()).isTrue();
        assertThat(pg("40001", "could not serialize access")).isInstanceOf(SerializationError.class);
        assertThat(pg("57P01", "terminating connection due to administrator command")).isInstanceOf(ConnectionLostError.class);
        assertThat(pg("25P03", "terminating connection due to idle-in-transaction timeout")).isInstanceOf(ConnectionLostError.class);
        assertThat(pg("08006", "connection failure")).isInstanceOf(ConnectionLostError.class);
        assertThat(pg("23505", "duplicate key")).isInstanceOf(IntegrityError.class);
    }

    @Test // §0: MariaDB / MySQL codes, which win over the coarse SQLSTATEs
    void mariaDbCodes() {
        assertThat(my(1969, "70100", "Query execution was interrupted (max_statement_time exceeded)")).isInstanceOf(TimeoutError.class);
        assertThat(my(1317, "70100", "Query execution was interrupted")).isInstanceOf(CancelledError.class);
        assertThat(my(1205, "HY000", "Lock wait timeout exceeded")).isInstanceOf(LockTimeoutError.class);
        assertThat(my(1213, "40001", "Deadlock found")).isInstanceOf(DeadlockError.class);
        assertThat(my(2013, "HY000", "Lost connection to server during query")).isInstanceOf(ConnectionLostError.class);
        assertThat(my(1062, "23000", "Duplicate entry")).isInstanceOf(IntegrityError.class);
    }

    @Test // SQLite through the bridge: SQLITE_BUSY (5) arrives as HYT00 "database is locked", a lock wait
    void sqliteBusyIsALockTimeout() {
        assertThat(ErrorTranslator.translate(new R2dbcTimeoutException("[SQLITE_BUSY] The database file is locked"
                + " (database is locked)", "HYT00", 5), null, null)).isInstanceOf(LockTimeoutError.class);
        assertThat(ErrorTranslator.translate(new R2dbcTimeoutException("Query timed out", "HYT00", 0), null, null))
                .as("another HYT00").isNotInstanceOf(LockTimeoutError.class);
    }

    @Test // H2: lock timeout 50200, deadlock 40001 "Deadlock detected", 57014 decided by the connection's timeout
    void h2Codes() {
        assertThat(ErrorTranslator.translate(new R2dbcTimeoutException("Timeout trying to lock table", "HYT00", 50200), null, null))
                .isInstanceOf(LockTimeoutError.class);
        assertThat(ErrorTranslator.translate(new R2dbcTransientResourceException("Deadlock detected. The current transaction"
                + " was rolled back.", "40001", 40001), null, null)).isInstanceOf(DeadlockError.class);
        R2dbcNonTransientResourceException cancelled = new R2dbcNonTransientResourceException(
                "Statement was canceled or the session timed out", "57014", 57014);
        assertThat(ErrorTranslator.translate(cancelled, null, null, true, Redaction.none())).isInstanceOf(TimeoutError.class);
        assertThat(ErrorTranslator.translate(cancelled, null, null, false, Redaction.none())).isInstanceOf(CancelledError.class);
    }

    @Test // B18: hidden values vanish from the message and from every rendering of the cause chain
    void hiddenValuesAreRedactedFromMessageAndCause() {
        String secret = "s3cret-" + UUID.randomUUID();
        R2dbcDataIntegrityViolationException driver = new R2dbcDataIntegrityViolationException(
                "Duplicate entry '" + secret + "' for key 'name'", "23000", 1062,
                "INSERT INTO artist (name) VALUES ('" + secret + "')");
        RetortException e = ErrorTranslator.translate(driver, "INSERT INTO artist (name) VALUES (?)", "[hidden]", false,
                Redaction.ofValues(new Object[] {secret, 7}));
        assertThat(e).isInstanceOf(IntegrityError.class);
        assertThat(((IntegrityError) e).vendorCode()).isEqualTo(1062);
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        assertThat(w.toString()).doesNotContain(secret).contains("Duplicate entry '[hidden]'")
                .contains(R2dbcDataIntegrityViolationException.class.getName());
        // Without redaction the driver's exception stays the cause, untouched.
        assertThat(ErrorTranslator.translate(driver, null, null).getCause()).isSameAs(driver);
    }

    @Test // short values are masked only where quoted, so digits elsewhere survive
    void shortValuesOnlyWhereQuoted() {
        Redaction r = Redaction.ofValues(new Object[] {"ab", 1});
        assertThat(r.apply("Duplicate entry 'ab' at line 1 (1)")).isEqualTo("Duplicate entry '[hidden]' at line 1 ([hidden])");
    }

    @Test // B18: URL passwords with '@', ':' and '%' are masked entirely; so is a password= option
    void urlMasking() {
        assertThat(Engine.mask("r2dbc:postgresql://retort:Wr0ng^@%:pw@127.0.0.1:5432/db"))
                .isEqualTo("r2dbc:postgresql://retort:****@127.0.0.1:5432/db");
        assertThat(Engine.mask("r2dbc:mariadb://h:3306/db?user=u&password=x@y&ssl=true"))
                .isEqualTo("r2dbc:mariadb://h:3306/db?user=u&password=****&ssl=true");
        assertThat(Engine.mask("r2dbc:h2:mem:///db")).isEqualTo("r2dbc:h2:mem:///db");
    }

    @Test // B11: values no driver can bind are refused before sending, naming position and class, never the value
    void bindCheck() {
        for (Object ok : new Object[] {"x", 1, 2L, 1.5, true, LocalDate.now(), UUID.randomUUID(), new byte[1],
                new Integer[] {1}, new int[] {1}, Thread.State.NEW}) {
            BindCheck.check(new BoundStatement("SELECT ?", new Object[] {ok}, new Class<?>[] {ok.getClass()}));
        }
        for (Object bad : new Object[] {new Object(), Thread.currentThread(), Optional.of("secret-value"), Object.class,
                (Runnable) () -> { }, new Object[] {1}, new java.util.ArrayList<>()}) {
            assertThatThrownBy(() -> BindCheck.check(new BoundStatement("SELECT ?", new Object[] {bad},
                    new Class<?>[] {Object.class})))
                    .isInstanceOf(UnsupportedBindTypeError.class)
                    .hasMessageContaining("Parameter 1")
                    .hasMessageNotContaining("secret-value");
        }
    }

    @Test // F17: a driver that cannot decode the server's bytes raised no SQLSTATE: the connection is lost, not reusable
    void decodeFailuresAreConnectionLost() {
        // r2dbc-mariadb reading a value length past its packet; Connector/J through the bridge alike.
        RetortException e = ErrorTranslator.translate(new StringIndexOutOfBoundsException("offset 8, count 252, length 42"),
                "SELECT 1", null);
        assertThat(e).isInstanceOf(ConnectionLostError.class).hasMessageContaining("decode");
        RetortException wrapped = ErrorTranslator.translate(new IllegalStateException("row failed",
                new IndexOutOfBoundsException("readerIndex")), "SELECT 1", null);
        assertThat(wrapped).isInstanceOf(ConnectionLostError.class);
        // Our own conversions stay request errors: the connection is fine.
        assertThat(ErrorTranslator.translate(new IllegalArgumentException("cannot convert"), "SELECT 1", null))
                .isNotInstanceOf(ConnectionLostError.class);
        // A driver that typed the failure keeps its SQLSTATE's meaning.
        assertThat(ErrorTranslator.translate(new R2dbcDataIntegrityViolationException("dup", "23505", 0,
                new IndexOutOfBoundsException()), "SELECT 1", null)).isInstanceOf(IntegrityError.class);
    }

    @Test
    void aStatementRefusedByAClosedDriverConnectionIsConnectionLost() {
        // r2dbc-mysql 1.4 after its socket closed under it (NetworkFaultSuite's handshake cuts).
        assertThat(ErrorTranslator.translate(new IllegalStateException("Request queue was disposed"), "SELECT 1", null))
                .isInstanceOf(ConnectionLostError.class);
        assertThat(ErrorTranslator.translate(new IllegalStateException("some other misuse"), "SELECT 1", null))
                .isNotInstanceOf(ConnectionLostError.class);
    }

    @Test // F10: a closed connection the driver reported without a SQLSTATE is 08006, flagged as Retort's
    void aLostConnectionWithoutSqlStateGets08006() {
        // r2dbc-mariadb refusing to send on a socket it knows is closed: no SQLSTATE.
        RetortException refused = ErrorTranslator.translate(new io.r2dbc.spi.R2dbcNonTransientResourceException(
                "The connection is closed. Unable to send anything"), "SELECT 1", null);
        assertThat(refused).isInstanceOf(ConnectionLostError.class).hasMessageContaining("[SQLSTATE 08006]");
        assertThat(((ConnectionLostError) refused).sqlState()).isEqualTo("08006");
        assertThat(((ConnectionLostError) refused).sqlStateSynthesised()).isTrue();
        // r2dbc-mysql's MySqlConnectionClosedException, matched by name (no SQLSTATE, not an R2dbcException subclass we know).
        RetortException closed = ErrorTranslator.translate(new MySqlConnectionClosedException(), "SELECT 1", null);
        assertThat(((ConnectionLostError) closed).sqlState()).isEqualTo("08006");
        assertThat(((ConnectionLostError) closed).sqlStateSynthesised()).isTrue();
        RetortException lostByCode = ErrorTranslator.translate(new io.r2dbc.spi.R2dbcNonTransientResourceException(
                "Lost connection", null, 2013), "SELECT 1", null);
        assertThat(((ConnectionLostError) lostByCode).sqlState()).isEqualTo("08006");
        // A driver's own SQLSTATE is kept, and not flagged.
        RetortException given = ErrorTranslator.translate(new io.r2dbc.spi.R2dbcNonTransientResourceException(
                "Connection unexpectedly closed", "08000"), "SELECT 1", null);
        assertThat(((ConnectionLostError) given).sqlState()).isEqualTo("08000");
        assertThat(((ConnectionLostError) given).sqlStateSynthesised()).isFalse();
        assertThat(((ConnectionLostError) pg("57P01", "terminating connection due to administrator command")).sqlState())
                .isEqualTo("57P01");
        // Only lost connections get one: other errors without a SQLSTATE keep none.
        assertThat(((DatabaseError) ErrorTranslator.translate(new io.r2dbc.spi.R2dbcNonTransientException("odd") { },
                "SELECT 1", null)).sqlState()).isNull();
    }

    /** Named like r2dbc-mysql's exception for a closed socket, which the translator recognises by name. */
    private static final class MySqlConnectionClosedException extends RuntimeException {
        MySqlConnectionClosedException() {
            super("Connection unexpectedly closed");
        }
    }
}
