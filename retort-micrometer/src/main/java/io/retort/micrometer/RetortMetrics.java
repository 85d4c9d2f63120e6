package io.retort.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.retort.engine.Engine;

import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * Micrometer meters for a Retort {@link Engine} (X2), all tagged with the engine's name:
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>meter</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>{@code r2dbc.pool.acquired}</td><td>gauge (connections)</td><td>{@code name}</td><td>connections checked out</td></tr>
 * <tr><td>{@code r2dbc.pool.allocated}</td><td>gauge</td><td>{@code name}</td><td>connections open</td></tr>
 * <tr><td>{@code r2dbc.pool.idle}</td><td>gauge</td><td>{@code name}</td><td>connections idle in the pool</td></tr>
 * <tr><td>{@code r2dbc.pool.pending}</td><td>gauge</td><td>{@code name}</td><td>subscribers waiting for a connection</td></tr>
 * <tr><td>{@code r2dbc.pool.max.allocated}</td><td>gauge</td><td>{@code name}</td><td>the pool's size</td></tr>
 * <tr><td>{@code cache.size}, {@code cache.gets}, {@code cache.puts}, {@code cache.evictions},
 *     {@code cache.load}, {@code cache.load.duration}</td><td>Micrometer's cache meters</td>
 *     <td>{@code cache=retort.statements.<name>}</td><td>the compiled-statement cache: hits, misses, size, evictions</td></tr>
 * <tr><td>{@code retort.statements}</td><td>function counter</td><td>{@code name}</td><td>statements sent</td></tr>
 * </table>
 *
 * The pool meters carry the names and tag key Spring Boot gives an R2DBC pool, so existing
 * dashboards show Retort's; they are registered only when the engine pools its connections.
 * Per-statement timings come from the observations ({@link RetortMicrometer#observe}) through a
 * {@code DefaultMeterObservationHandler}. The meters read the engine on demand and hold it
 * weakly: a dropped engine reads as NaN.
 *
 * <pre>{@code
 * new RetortMetrics(engine, "primary").bindTo(meterRegistry);
 * }</pre>
 */
public final class RetortMetrics implements MeterBinder {
    private final Engine engine;
    private final String name;
    private final Tags tags;

    /** Meters for {@code engine}, tagged {@code name=<name>}. */
    public RetortMetrics(Engine engine, String name) {
        this(engine, name, Tags.empty());
    }

    /** Meters for {@code engine}, tagged {@code name=<name>} and {@code tags}. */
    public RetortMetrics(Engine engine, String name, Iterable<Tag> tags) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.name = Objects.requireNonNull(name, "name");
        this.tags = Tags.of(tags);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags named = tags.and("name", name);
        if (engine.poolStats().isPresent()) {
            pool(registry, named, "acquired", Engine.PoolStats::acquired, "Connections checked out of the pool");
            pool(registry, named, "allocated", Engine.PoolStats::allocated, "Connections the pool holds open");
            pool(registry, named, "idle", Engine.PoolStats::idle, "Connections idle in the pool");
            pool(registry, named, "pending", Engine.PoolStats::pending, "Subscribers waiting for a connection");
            pool(registry, named, "max.allocated", Engine.PoolStats::max, "The pool's maximum size");
        }
        new StatementCacheMetrics(engine.cache(), "retort.statements." + name, tags).bindTo(registry);
        FunctionCounter.builder("retort.statements", engine, Engine::statementCount)
                .tags(named)
                .baseUnit("statements")
                .description("Statements the engine sent")
                .register(registry);
    }

    private void pool(MeterRegistry registry, Tags named, String metric, ToIntFunction<Engine.PoolStats> read, String description) {
        Gauge.builder("r2dbc.pool." + metric, engine, e -> e.poolStats().map(read::applyAsInt).map(Integer::doubleValue).orElse(Double.NaN))
                .tags(named)
                .baseUnit("connections")
                .description(description)
                .register(registry);
    }
}
