package io.retort.examples.webflux;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The service's settings ({@code chinook.*} in {@code application.properties}, the environment or
 * the command line).
 *
 * @param url            the R2DBC URL of the database (default: a private in-memory H2 database)
 * @param loadSampleData whether to create and fill the Chinook tables when {@code artist} is missing
 * @param maxPoolSize    the connection pool's size
 * @param echo           whether to log every statement with its timing (Retort's SQL log)
 */
@ConfigurationProperties("chinook")
public record ChinookProperties(
        @DefaultValue("r2dbc:h2:mem:///chinook_web;DB_CLOSE_DELAY=-1;LAZY_QUERY_EXECUTION=TRUE") String url,
        @DefaultValue("true") boolean loadSampleData,
        @DefaultValue("8") int maxPoolSize,
        @DefaultValue("false") boolean echo) {
}
