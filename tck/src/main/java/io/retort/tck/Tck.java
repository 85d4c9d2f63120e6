package io.retort.tck;

import io.retort.tck.suite.CacheSuite;
import io.retort.tck.suite.CoreSuite;
import io.retort.tck.suite.DdlReflectionSuite;
import io.retort.tck.suite.SqlFeaturesSuite;
import io.retort.tck.suite.TypesSuite;

/**
 * The whole compliance suite: a backend runs it with one small class,
 * {@code @RequiresDatabase(Backend.X) class XTckIT implements Tck { public Driver driver() {...} }}.
 * Categories follow SQLAlchemy's dialect compliance suite: core round trips ({@link CoreSuite}),
 * types ({@link TypesSuite}), SQL features ({@link SqlFeaturesSuite}), the statement cache
 * ({@link CacheSuite}), DDL and reflection ({@link DdlReflectionSuite}), the ORM
 * ({@link io.retort.tck.suite.OrmSuite}, {@link io.retort.tck.suite.OrmSessionSuite},
 * {@link io.retort.tck.suite.OrmPredicateSuite}, {@link io.retort.tck.suite.OrmInheritanceSuite}); the failure paths of
 * RELIABILITY.md: server faults and bad input ({@link io.retort.tck.suite.FailureSuite}), faults that strike a
 * transaction ({@link io.retort.tck.suite.TransactionFaultSuite}),
 * cancellation ({@link io.retort.tck.suite.CancellationSuite}), load (pool bursts, lifetimes, L6 churn and the opt-in L5 restart chaos:
 * {@link io.retort.tck.suite.LoadSuite}). Network faults through an in-JVM proxy
 * ({@link io.retort.tck.suite.NetworkFaultSuite}) and the race storms on the pool and session state
 * machines ({@link io.retort.tck.suite.RaceStormSuite}, F35) run in classes of their own, one per
 * driver ({@code PostgresNetworkFaultIT}, {@code PostgresRaceStormIT}, ...), since both cut
 * connections mid-result, and the buffers drivers strand on such connections are tolerated only there.
 */
public interface Tck extends CoreSuite, TypesSuite, SqlFeaturesSuite, CacheSuite, DdlReflectionSuite, io.retort.tck.suite.OrmSuite,
        io.retort.tck.suite.OrmSessionSuite, io.retort.tck.suite.OrmPredicateSuite, io.retort.tck.suite.OrmTransactionSuite, io.retort.tck.suite.OrmBulkSuite, io.retort.tck.suite.OrmEventsSuite, io.retort.tck.suite.OrmInheritanceSuite, io.retort.tck.suite.OrmMutableSuite, io.retort.tck.suite.FailureSuite, io.retort.tck.suite.TransactionFaultSuite, io.retort.tck.suite.CancellationSuite, io.retort.tck.suite.LoadSuite {
}
