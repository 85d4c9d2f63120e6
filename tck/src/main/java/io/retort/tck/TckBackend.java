package io.retort.tck;

import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.tck.env.Driver;
import io.retort.tck.env.TestDatabase;

/**
 * What a backend supplies to run the compliance suites: its R2DBC driver. A backend is added by
 * one small class implementing {@link Tck} with {@code @RequiresDatabase(...)} and this method
 * (T1). Engines made here are tracked by {@link TckOracle}, which checks after every test that
 * each pool is back to idle and disposes it.
 */
public interface TckBackend {
    /** The R2DBC driver this backend runs on. */
    Driver driver();

    /** An engine on the test's scratch namespace, closed after the test by the oracle. */
    default Engine engine(TestDatabase db) {
        return engine(db, EngineOptions.builder().maxPoolSize(4).echo(false).build());
    }

    default Engine engine(TestDatabase db, EngineOptions options) {
        Engine e = Engine.create(db.connectionFactory(driver()), options);
        TckOracle.track(e, db);
        return e;
    }

    /**
     * An engine over {@code factory} (a wrapper of one from {@code db.connectionFactory(driver())},
     * say, that counts connects), tracked by the oracle like the others. The caller closes the
     * factory if it holds resources; {@code db} closes the bridge factories it made.
     */
    default Engine engine(TestDatabase db, io.r2dbc.spi.ConnectionFactory factory, EngineOptions options) {
        Engine e = Engine.create(factory, options);
        TckOracle.track(e, db);
        return e;
    }

    /**
     * An engine that connects with {@code connect} instead of the namespace's own options (a
     * proxy's port, say: start from {@code db.options(driver())}), tracked by the oracle like the
     * others. It owns the driver's factory it makes, so disposing it closes a bridge factory too.
     */
    default Engine engine(TestDatabase db, io.r2dbc.spi.ConnectionFactoryOptions connect, EngineOptions options) {
        Engine e = Engine.create(connect, options);
        TckOracle.track(e, db);
        return e;
    }
}
