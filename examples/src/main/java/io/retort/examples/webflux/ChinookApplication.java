package io.retort.examples.webflux;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * E2: a Spring WebFlux service over the Chinook sample database, written with Retort. Every
 * endpoint returns a {@code Flux} or {@code Mono}; {@code GET /tracks} streams NDJSON with the
 * HTTP client's demand reaching the database; the ORM endpoints open one session per request.
 * Runs on embedded H2 by default ({@code chinook.url} points it at PostgreSQL or MariaDB):
 * {@code ./mvnw -q -Pwebflux -pl examples -am package -DskipTests}, then
 * {@code curl localhost:8080/artists?prefix=Led}.
 */
@SpringBootApplication
public class ChinookApplication {

    /** Starts the service. */
    public static void main(String[] args) {
        SpringApplication.run(ChinookApplication.class, args);
    }
}
