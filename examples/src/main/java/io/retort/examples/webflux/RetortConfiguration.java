package io.retort.examples.webflux;

import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.examples.chinook.ChinookLoader;
import io.retort.examples.chinook.model.Chinook;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.retort.micrometer.RetortMetrics;
import io.retort.micrometer.RetortMicrometer;
import io.retort.orm.SessionFactory;
import io.retort.schema.Inspector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;

import java.time.Duration;

/**
 * The Retort beans: one {@link Engine} (pool and compiled-statement cache) for the application,
 * closed with the context, and the ORM's {@link SessionFactory}. Sessions are not beans: a
 * session is a unit of work, opened per request by the handlers ({@code sessions.withSession} /
 * {@code withTransaction}) and closed when the response's publisher ends, however it ends.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ChinookProperties.class)
public class RetortConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(RetortConfiguration.class);
    /** Loading Chinook takes about a second on H2 and a few on a server; this only bounds a hung start. */
    private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(5);

    /**
     * The engine, with the sample data in place before the web server takes a request: the
     * load blocks, which is fine here (the main thread, at start-up), never on a Reactor thread.
     */
    @Bean(destroyMethod = "close")
    public Engine engine(ChinookProperties properties) {
        Engine engine = Engine.create(properties.url(), EngineOptions.builder()
                .maxPoolSize(properties.maxPoolSize())
                .echo(properties.echo())
                .build());
        if (properties.loadSampleData()) {
            try {
                loadIfMissing(engine).block(LOAD_TIMEOUT);
            } catch (RuntimeException e) {
                engine.close();
                throw e;
            }
        }
        return engine;
    }

    /** The ORM's entry point over the Chinook mapping. */
    @Bean
    public SessionFactory sessionFactory(Engine engine) {
        return SessionFactory.of(engine, Chinook.registry());
    }

    /**
     * Statement observations and engine meters in Spring's registries (Actuator configures
     * them): every statement becomes a {@code retort.statement} observation, nested under the
     * HTTP request's, whose Reactor context carries it; the pool and statement cache get gauges.
     * Stops observing when the context closes.
     */
    @Bean(destroyMethod = "close")
    public AutoCloseable retortObservations(Engine engine, ObjectProvider<ObservationRegistry> observations,
                                            ObjectProvider<MeterRegistry> meters) {
        meters.ifAvailable(registry -> new RetortMetrics(engine, "chinook").bindTo(registry));
        ObservationRegistry registry = observations.getIfAvailable(() -> ObservationRegistry.NOOP);
        return registry.isNoop() ? () -> { } : RetortMicrometer.observe(engine, registry);
    }

    /** Creates and fills the Chinook tables unless the database already has an {@code artist} table. */
    static Mono<Void> loadIfMissing(Engine engine) {
        return engine.connect(c -> Inspector.of(c).tableNames()
                        .any(name -> name.equalsIgnoreCase("artist"))
                        .flatMap(present -> {
                            if (present) {
                                LOG.info("Chinook tables found; not loading the sample data");
                                return Mono.empty();
                            }
                            return new ChinookLoader(c.dialect()).load(c.unwrap()).then();
                        }))
                .then();
    }
}
