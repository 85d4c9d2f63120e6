package io.retort.spring;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.PoolMetrics;
import io.r2dbc.spi.ConnectionFactory;
import io.retort.engine.Engine;
import io.retort.engine.EngineOptions;
import io.retort.engine.ExternalTransactions;
import io.retort.orm.OrmRegistry;
import io.retort.orm.SessionFactory;
import io.retort.sql.compile.Dialects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.r2dbc.R2dbcAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Boot auto-configuration for Retort: an {@link Engine} over Boot's {@link ConnectionFactory}
 * ({@code spring.r2dbc.*}, pooled by Boot with r2dbc-pool) unless the application defines one,
 * configured by {@link RetortProperties} ({@code retort.*}); with spring-r2dbc present, the engine
 * joins Spring's reactive transactions over that factory ({@link SpringTransactions}); with
 * reactive-orm present and an {@link OrmRegistry} bean, a {@link SessionFactory}.
 *
 * <p>The engine does not own Boot's pool: closing the context disposes it once, through Boot.
 */
@AutoConfiguration(after = R2dbcAutoConfiguration.class)
@ConditionalOnClass({Engine.class, ConnectionFactory.class})
@ConditionalOnSingleCandidate(ConnectionFactory.class)
@EnableConfigurationProperties(RetortProperties.class)
public class RetortAutoConfiguration {

    /**
     * The engine. Over Boot's pool it checks out from that pool (its size is the pool's); over an
     * unpooled factory ({@code spring.r2dbc.pool.enabled=false}) it does not add a pool of its own.
     */
    @Bean(destroyMethod = "") // Boot disposes its ConnectionFactory; the engine holds nothing else
    @ConditionalOnMissingBean
    public Engine retortEngine(ConnectionFactory connectionFactory, RetortProperties properties,
                               ObjectProvider<ExternalTransactions> externalTransactions) {
        EngineOptions.Builder options = EngineOptions.builder()
                .echo(properties.isEcho())
                .hideParameters(properties.isHideParameters())
                .cacheSize(properties.getCacheSize())
                .fetchSize(properties.getFetchSize())
                .acquireTimeout(properties.getAcquireTimeout())
                .cancelOnServer(properties.isCancelOnServer())
                .maxConcurrentServerCancels(properties.getMaxConcurrentServerCancels())
                .nestedAcquire(properties.getNestedAcquire())
                .commitTimeout(properties.getCommitTimeout());
        if (connectionFactory instanceof ConnectionPool pool) {
            // Used for the engine's messages and for how often it replaces a connection that failed validation.
            pool.getMetrics().map(PoolMetrics::getMaxAllocatedSize).filter(n -> n > 0).ifPresent(options::maxPoolSize);
        } else {
            options.pooled(false);
        }
        String dialect = properties.getDialect();
        if (dialect != null && !dialect.isBlank()) {
            options.dialect(Dialects.forProduct(dialect.trim()));
        }
        ExternalTransactions external = externalTransactions.getIfAvailable();
        return external == null ? Engine.create(connectionFactory, options.build())
                : Engine.create(connectionFactory, options.build(), external);
    }

    /** Joining Spring's reactive transactions, when spring-r2dbc is there ({@code retort.join-transactions=false} turns it off). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.r2dbc.connection.ConnectionFactoryUtils")
    @ConditionalOnProperty(prefix = "retort", name = "join-transactions", havingValue = "true", matchIfMissing = true)
    static class SpringTransactionsConfiguration {
        @Bean
        @ConditionalOnMissingBean(ExternalTransactions.class)
        ExternalTransactions retortSpringTransactions(ConnectionFactory connectionFactory) {
            return new SpringTransactions(connectionFactory);
        }
    }

    /** The ORM's entry point, when reactive-orm is there and the application defines its mapping. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.retort.orm.SessionFactory")
    static class OrmConfiguration {
        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnBean(OrmRegistry.class)
        SessionFactory retortSessionFactory(Engine engine, OrmRegistry registry) {
            return SessionFactory.of(engine, registry);
        }
    }
}
