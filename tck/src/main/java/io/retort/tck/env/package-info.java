/**
 * The shared database test harness: finds a PostgreSQL, MariaDB or H2 database for a test,
 * provisions the test user and database once per JVM, gives each test a scratch namespace
 * (a schema, a database, or an in-memory database) and drops it afterwards.
 *
 * <p>Entry points: {@link io.retort.tck.env.RequiresDatabase} (JUnit 5) and
 * {@link io.retort.tck.env.TestDatabases} (programmatic). Where the servers come from, in
 * order: system properties, environment variables, the default loopback ports, Testcontainers
 * when a Docker engine runs; else the test is skipped with the reason, or fails when
 * {@code retort.it.required=true} (CI). {@link io.retort.tck.env.HarnessSettings} lists every
 * setting.
 */
@NullMarked
package io.retort.tck.env;

import org.jspecify.annotations.NullMarked;
