package io.retort.micrometer;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.retort.error.DatabaseError;
import io.retort.micrometer.RetortObservationDocumentation.HighCardinalityKeys;
import io.retort.micrometer.RetortObservationDocumentation.LowCardinalityKeys;

/**
 * The default naming of statement observations: {@code retort.statement}, contextual (span) name
 * the SQL command ({@code SELECT}), and the OpenTelemetry database keys listed in
 * {@link RetortObservationDocumentation}. Open for extension: override a method to change one
 * key and keep the rest.
 */
public class DefaultStatementObservationConvention implements StatementObservationConvention {

    /** The shared instance (it holds no state). */
    public static final DefaultStatementObservationConvention INSTANCE = new DefaultStatementObservationConvention();

    /** The observation's name, and so the timer's. */
    public static final String NAME = "retort.statement";

    private static final String NONE = "none";

    @Override
    public String getName() {
        return NAME;
    }

    /** The SQL command, as OpenTelemetry names a database span when it knows no table or summary. */
    @Override
    public String getContextualName(StatementObservationContext context) {
        return context.getOperation();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(StatementObservationContext context) {
        return KeyValues.of(
                KeyValue.of(LowCardinalityKeys.DB_SYSTEM_NAME, dbSystemName(context.getDialect())),
                KeyValue.of(LowCardinalityKeys.DB_OPERATION_NAME, context.getOperation()),
                KeyValue.of(LowCardinalityKeys.CACHE_HIT, Boolean.toString(context.isCacheHit())),
                KeyValue.of(LowCardinalityKeys.OUTCOME, context.getOutcome().name()),
                KeyValue.of(LowCardinalityKeys.ERROR_TYPE, context.getError() == null ? NONE : context.getError().getClass().getName()));
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(StatementObservationContext context) {
        KeyValues kv = KeyValues.of(KeyValue.of(HighCardinalityKeys.DB_QUERY_TEXT, context.getSql()));
        if (context.getReturnedRows() >= 0) {
            kv = kv.and(KeyValue.of(HighCardinalityKeys.DB_RESPONSE_RETURNED_ROWS, Long.toString(context.getReturnedRows())));
        }
        if (context.getRowsAffected() >= 0) {
            kv = kv.and(KeyValue.of(HighCardinalityKeys.ROWS_AFFECTED, Long.toString(context.getRowsAffected())));
        }
        if (context.getError() instanceof DatabaseError) {
            String state = ((DatabaseError) context.getError()).sqlState();
            if (state != null && !state.isEmpty()) {
                kv = kv.and(KeyValue.of(HighCardinalityKeys.DB_RESPONSE_STATUS_CODE, state));
            }
        }
        return kv;
    }

    /**
     * OpenTelemetry's {@code db.system.name} for a Retort dialect name (semantic conventions
     * 1.3x registry: H2 is {@code h2database}, unknown SQL products {@code other_sql}).
     */
    protected String dbSystemName(String dialect) {
        switch (dialect) {
            case "postgresql":
            case "mariadb":
            case "mysql":
            case "sqlite":
                return dialect;
            case "h2":
                return "h2database";
            case "mssql":
                return "microsoft.sql_server";
            case "oracle":
                return "oracle.db";
            default:
                return "other_sql";
        }
    }
}
