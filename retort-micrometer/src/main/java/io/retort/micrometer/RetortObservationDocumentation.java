package io.retort.micrometer;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations Retort makes and their key names (X8), in Micrometer's documentation form.
 * Key names follow the OpenTelemetry database semantic conventions where one exists
 * ({@code db.system.name}, {@code db.operation.name}, {@code db.query.text},
 * {@code db.response.returned_rows}, {@code db.response.status_code}, {@code error.type});
 * the rest are Retort's ({@code retort.*}) or Micrometer's usual {@code outcome}.
 */
public enum RetortObservationDocumentation implements ObservationDocumentation {

    /**
     * One statement sent to the database, from just before it is sent to its completion, error
     * or cancel. With a {@code DefaultMeterObservationHandler} it also makes the timer
     * {@code retort.statement} (and the long task timer {@code retort.statement.active}),
     * tagged with the low-cardinality keys.
     */
    STATEMENT {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultStatementObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return LowCardinalityKeys.values();
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return HighCardinalityKeys.values();
        }
    };

    /** Keys that become metric tags: each has a small, fixed set of values. */
    public enum LowCardinalityKeys implements KeyName {
        /**
         * The database product, as OpenTelemetry names it: {@code postgresql}, {@code mariadb},
         * {@code mysql}, {@code h2database}, {@code sqlite}; {@code other_sql} for a dialect it
         * does not know.
         */
        DB_SYSTEM_NAME {
            @Override
            public String asString() {
                return "db.system.name";
            }
        },
        /** The SQL command: {@code SELECT}, {@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code WITH}... */
        DB_OPERATION_NAME {
            @Override
            public String asString() {
                return "db.operation.name";
            }
        },
        /** {@code true} when the compiled SQL came from the engine's statement cache, else {@code false}. */
        CACHE_HIT {
            @Override
            public String asString() {
                return "retort.cache.hit";
            }
        },
        /** {@code SUCCESS}, {@code ERROR} or {@code CANCELLED} ({@code UNKNOWN} while running). */
        OUTCOME {
            @Override
            public String asString() {
                return "outcome";
            }
        },
        /**
         * The error's fully qualified class name ({@code io.retort.error.IntegrityError}), or
         * {@code none}: present on every observation, so every timer has the same tag keys.
         */
        ERROR_TYPE {
            @Override
            public String asString() {
                return "error.type";
            }
        }
    }

    /** Keys for traces only: unbounded values that must never become metric tags. */
    public enum HighCardinalityKeys implements KeyName {
        /** The SQL text as sent, with placeholders; bound values never appear in it. */
        DB_QUERY_TEXT {
            @Override
            public String asString() {
                return "db.query.text";
            }
        },
        /** Rows the statement returned to its subscriber (also on a cancel: the rows read until then). */
        DB_RESPONSE_RETURNED_ROWS {
            @Override
            public String asString() {
                return "db.response.returned_rows";
            }
        },
        /** Rows inserted, updated or deleted, when the statement ran for its update count. */
        ROWS_AFFECTED {
            @Override
            public String asString() {
                return "retort.rows_affected";
            }
        },
        /** The SQLSTATE of a database error ({@code 23505}), when the driver gave one. */
        DB_RESPONSE_STATUS_CODE {
            @Override
            public String asString() {
                return "db.response.status_code";
            }
        }
    }
}
