package io.retort.tck.env;

/**
 * What a test does about its database: run, skip with the reason, or fail. A pure function of
 * the {@code retort.it.required} flag and the {@link Availability}, so {@code DecisionTest}
 * checks every case without a database.
 */
public enum Decision {
    /** The database is there: run the test. */
    RUN,
    /** The database is not there and nobody requires it: skip, printing the reason. */
    SKIP,
    /** The database is required (CI) or misconfigured: fail, naming backend, address and cause. */
    FAIL;

    /**
     * Decides.
     *
     * <ul>
     *   <li>available → {@link #RUN}, whatever the flag;</li>
     *   <li>misconfigured → {@link #FAIL}, whatever the flag: a wrong setting is a mistake to
     *       fix, not an environment to tolerate;</li>
     *   <li>unreachable → {@link #FAIL} when required, else {@link #SKIP}.</li>
     * </ul>
     *
     * @param required whether {@code retort.it.required=true}
     * @param status the outcome of discovery
     */
    public static Decision decide(boolean required, Availability.Status status) {
        switch (status) {
            case AVAILABLE:
                return RUN;
            case MISCONFIGURED:
                return FAIL;
            default:
                return required ? FAIL : SKIP;
        }
    }
}
