package io.retort.kotlin

import io.retort.engine.Engine
import io.retort.engine.EngineOptions
import io.retort.engine.StatementObserver
import io.retort.error.MultipleResultsFoundError
import io.retort.error.NoResultFoundError
import io.retort.orm.Orm
import io.retort.orm.SessionFactory
import io.retort.sql.Column
import io.retort.sql.ColumnOption.primaryKey
import io.retort.sql.Insert
import io.retort.sql.Select
import io.retort.sql.Sql
import io.retort.sql.SqlTypes
import io.retort.sql.Table
import io.retort.tck.env.TestDatabase
import io.retort.tck.orm.Entities
import io.retort.tck.orm.Entities.OArtist
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.reactor.asCoroutineContext
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import reactor.util.context.Context
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds

/**
 * X9 against a real database, written once: a backend runs it by a subclass annotated with
 * `@RequiresDatabase`. Every test gets a fresh scratch namespace, an engine of two pooled
 * connections, and ends by checking that every connection is back in the pool.
 */
abstract class CoroutinesContract {

    object Item : Table("kt_item") {
        val id: Column<Int> = column("id", SqlTypes.INTEGER, primaryKey())
        val name: Column<String> = column("name", SqlTypes.varchar(40))
    }

    /** A Kotlin class that Result.into can build: a JVM record. */
    @JvmRecord
    data class ItemRecord(val id: Int, val name: String)

    private fun insert(id: Int, name: String = "n$id"): Insert = Sql.insert(Item).set(Item.id, id).set(Item.name, name)

    private fun all(): Select = Sql.select(Item.id, Item.name).from(Item).orderBy(Item.id.asc())

    private fun byId(id: Int): Select = Sql.select(Item.id, Item.name).from(Item).where(Item.id.eq(id))

    /** The ids in the table, read on a connection of their own (so only committed rows). */
    private suspend fun Engine.ids(): List<Int> = flow(all()).map { it.get(Item.id) }.toList()

    /** Rows 1..n, committed. */
    private suspend fun Engine.seed(n: Int) {
        val rows = (1..n).map { mapOf<Column<*>, Any>(Item.id to it, Item.name to "n$it") }
        assertThat(transaction { c -> c.execute(Sql.insert(Item).values(rows)).awaitRowsAffected() }).isEqualTo(n.toLong())
    }

    /**
     * Runs [block] with an engine on [db] (two pooled connections, the item table created), then
     * checks that the pool has every connection back (a cancelled scope returns its own in the
     * background, so this waits, bounded) and disposes the engine without blocking.
     */
    protected fun withEngine(db: TestDatabase, block: suspend CoroutineScope.(Engine) -> Unit): Unit = runBlocking {
        val engine = Engine.create(db.options(), EngineOptions.builder().maxPoolSize(2).build())
        try {
            withTimeout(90.seconds) {
                engine.connection { c -> c.execute(Sql.createTable(Item)).awaitRowsAffected() }
                block(engine)
                awaitIdle(engine)
            }
        } finally {
            engine.awaitDispose()
        }
    }

    private suspend fun awaitIdle(engine: Engine) {
        repeat(1000) {
            if (engine.poolStats().orElseThrow().acquired() == 0) return
            delay(10)
        }
        assertThat(engine.poolStats().orElseThrow().acquired()).`as`("connections still checked out").isZero()
    }

    // ============================================================ Core: values and results

    @Test // X9
    fun resultsComeBackAsValuesRowsAndFlows(db: TestDatabase) = withEngine(db) { engine ->
        engine.seed(3)
        assertThat(engine.flow(all()).map { it.get(Item.name) }.toList()).containsExactly("n1", "n2", "n3")
        engine.connection { c ->
            assertThat(c.execute(Sql.select(Sql.count()).from(Item)).awaitScalar<Long>()).isEqualTo(3L)
            assertThat(c.execute(byId(2)).awaitOne().value<String>("name")).isEqualTo("n2")
            assertThat(c.execute(byId(2)).awaitOne().value<Int>(0)).isEqualTo(2)
            assertThat(c.execute(byId(9)).awaitOneOrNull()).isNull()
            assertThat(c.execute(byId(9)).awaitFirstOrNull()).isNull()
            assertThat(c.execute(all()).awaitFirstOrNull()!!.get(Item.id)).isEqualTo(1)
            assertThrows<NoResultFoundError> { c.execute(byId(9)).awaitOne() }
            assertThrows<MultipleResultsFoundError> { c.execute(all()).awaitOneOrNull() }
            assertThat(c.execute(all()).into<ItemRecord>().toList())
                .containsExactly(ItemRecord(1, "n1"), ItemRecord(2, "n2"), ItemRecord(3, "n3"))
            assertThat(c.execute(Sql.select(Item.name).from(Item).orderBy(Item.id.desc())).scalarFlow<String>().toList())
                .containsExactly("n3", "n2", "n1")
            assertThat(c.flow(byId(3)).toList().single().get(Item.name)).isEqualTo("n3")
            assertThat(c.execute(Sql.delete(Item).where(Item.id.eq(3))).awaitRowsAffected()).isEqualTo(1L)
        }
        assertThat(engine.ids()).containsExactly(1, 2)
    }

    @Test // X9: one statement per call, nothing hidden
    fun aScopeSendsOnlyTheBlocksStatements(db: TestDatabase) = withEngine(db) { engine ->
        engine.seed(2)
        val sent = CopyOnWriteArrayList<String>()
        val before = engine.statementCount()
        engine.onStatement { sent.add(it) }.use {
            engine.connection { c ->
                c.execute(byId(1)).awaitOne()
                c.execute(byId(2)).awaitOne()
            }
            engine.flow(all()).toList()
        }
        assertThat(engine.statementCount() - before).isEqualTo(3)
        assertThat(sent).hasSize(3).allSatisfy { assertThat(it).startsWithIgnoringCase("SELECT") }
    }

    // ============================================================ Core: transactions

    @Test // X9
    fun aTransactionCommitsWhenTheBlockReturns(db: TestDatabase) = withEngine(db) { engine ->
        val value = engine.transaction { c ->
            c.execute(insert(1)).awaitRowsAffected() + c.execute(insert(2)).awaitRowsAffected()
        }
        assertThat(value).isEqualTo(2L)
        // Read on another connection right after the return: the COMMIT came before it.
        assertThat(engine.ids()).containsExactly(1, 2)
        // A block returning Unit, and one returning null, commit too.
        engine.transaction { c -> c.execute(insert(3)).awaitRowsAffected(); Unit }
        val none: String? = engine.transaction { c -> c.execute(insert(4)).awaitRowsAffected(); null }
        assertThat(none).isNull()
        assertThat(engine.ids()).containsExactly(1, 2, 3, 4)
    }

    @Test // X9
    fun aTransactionRollsBackWhenTheBlockThrows(db: TestDatabase) = withEngine(db) { engine ->
        engine.seed(1)
        val thrown = assertThrows<IllegalStateException> {
            engine.transaction { c ->
                c.execute(insert(2)).awaitRowsAffected()
                check(c.execute(byId(2)).awaitOneOrNull() != null)
                throw IllegalStateException("boom")
            }
        }
        assertThat(thrown).hasMessage("boom")
        assertThat(engine.ids()).containsExactly(1)
    }

    @Test // X9: cancelling the caller rolls back and releases
    fun aTransactionRollsBackWhenTheCoroutineIsCancelled(db: TestDatabase) = withEngine(db) { engine ->
        val inserted = CompletableDeferred<Unit>()
        val reachedTheEnd = AtomicInteger()
        val job = launch {
            engine.transaction { c ->
                c.execute(insert(1)).awaitRowsAffected()
                inserted.complete(Unit)
                awaitCancellation()
            }
            reachedTheEnd.incrementAndGet()
        }
        inserted.await()
        job.cancelAndJoin()
        awaitIdle(engine)
        assertThat(reachedTheEnd.get()).isZero()
        assertThat(engine.ids()).isEmpty()
        // The pool still serves both of its connections.
        engine.transaction { c -> c.execute(insert(2)).awaitRowsAffected() }
        assertThat(engine.ids()).containsExactly(2)
    }

    @Test // X9: cancelled while a statement's rows stream in
    fun cancellingAFlowMidStreamRollsBackItsTransaction(db: TestDatabase) = withEngine(db) { engine ->
        engine.seed(500)
        val streaming = CompletableDeferred<Unit>()
        val seen = AtomicInteger()
        val job = launch {
            engine.transaction { c ->
                c.execute(insert(1000)).awaitRowsAffected()
                c.flow(all()).collect {
                    seen.incrementAndGet()
                    streaming.complete(Unit)
                    awaitCancellation()
                }
            }
        }
        streaming.await()
        job.cancelAndJoin()
        awaitIdle(engine)
        assertThat(seen.get()).isEqualTo(1)
        assertThat(engine.connection { c -> c.execute(byId(1000)).awaitOneOrNull() }).isNull()
        assertThat(engine.connection { c -> c.execute(Sql.select(Sql.count()).from(Item)).awaitScalar<Long>() }).isEqualTo(500L)
    }

    @Test // X9
    fun aSavepointContainsItsFailure(db: TestDatabase) = withEngine(db) { engine ->
        engine.transaction { c ->
            c.execute(insert(1)).awaitRowsAffected()
            val failed = runCatching {
                c.nested { n ->
                    n.execute(insert(2)).awaitRowsAffected()
                    error("inner")
                }
            }
            assertThat(failed.exceptionOrNull()).hasMessage("inner")
            assertThat(c.nested { n -> n.execute(insert(3)).awaitRowsAffected() }).isEqualTo(1L)
        }
        assertThat(engine.ids()).containsExactly(1, 3)
    }

    @Test // X9
    fun aFlowCollectedPartlyReleasesItsConnection(db: TestDatabase) = withEngine(db) { engine ->
        engine.seed(500)
        assertThat(engine.flow(all()).take(3).map { it.get(Item.id) }.toList()).containsExactly(1, 2, 3)
        assertThat(engine.flow(all()).first().get(Item.id)).isEqualTo(1)
        awaitIdle(engine)
        // More early stops than the pool has connections: a leak would leave the next one waiting.
        repeat(5) { assertThat(engine.flow(all()).take(1).toList()).hasSize(1) }
        awaitIdle(engine)
        assertThat(engine.ids()).hasSize(500)
    }

    @Test // X9: the coroutine's ReactorContext is the statements' Reactor context
    fun theCoroutinesReactorContextReachesTheStatements(db: TestDatabase) = withEngine(db) { engine ->
        val tenants = CopyOnWriteArrayList<String>()
        val observer = StatementObserver { start ->
            tenants.add(start.context().getOrDefault<String>("tenant", "none")!!)
            null
        }
        engine.observeStatements(observer).use {
            withContext(Context.of("tenant", "acme").asCoroutineContext()) {
                engine.transaction { c ->
                    c.execute(insert(1)).awaitRowsAffected()
                    c.flow(all()).toList()
                }
                engine.connection { c -> c.execute(byId(1)).awaitOne() }
                engine.flow(all()).toList()
            }
            engine.flow(all()).toList()
        }
        assertThat(tenants).containsExactly("acme", "acme", "acme", "acme", "none")
    }

    // ============================================================ ORM

    private suspend fun sessions(engine: Engine): SessionFactory {
        val registry = Entities.registry()
        engine.connection { c -> registry.tables().forEach { t -> c.execute(Sql.createTable(t)).awaitRowsAffected() } }
        return SessionFactory.of(engine, registry)
    }

    private suspend fun artistNames(sessions: SessionFactory): List<String> =
        sessions.flow(Orm.select(OArtist::class.java)).map { it.name }.toList().sorted()

    @Test // X9
    fun aSessionTransactionCommitsAndReadsBack(db: TestDatabase) = withEngine(db) { engine ->
        val sessions = sessions(engine)
        val id = sessions.transaction { s ->
            val artist = OArtist("Nina Simone")
            s.add(artist)
            s.awaitFlush()
            artist.id
        }
        assertThat(id).isNotNull()
        assertThat(artistNames(sessions)).containsExactly("Nina Simone")
        val before = engine.statementCount()
        sessions.session { s ->
            val first = s.get<OArtist>(id)
            assertThat(first!!.name).isEqualTo("Nina Simone")
            // The identity map answers the second get without SQL.
            assertThat(s.get<OArtist>(id)).isSameAs(first)
            assertThat(s.get<OArtist>(id + 1)).isNull()
            assertThat(s.flow(Orm.select(OArtist::class.java)).toList()).containsExactly(first)
        }
        assertThat(engine.statementCount() - before).isEqualTo(3)
        // Explicit commits inside a session scope.
        sessions.session { s ->
            s.add(OArtist("Miles Davis"))
            s.awaitCommit()
            s.add(OArtist("Not Kept"))
            s.awaitFlush()
            s.awaitRollback()
        }
        assertThat(artistNames(sessions)).containsExactly("Miles Davis", "Nina Simone")
    }

    @Test // X9
    fun aSessionTransactionRollsBackOnError(db: TestDatabase) = withEngine(db) { engine ->
        val sessions = sessions(engine)
        val thrown = assertThrows<IllegalArgumentException> {
            sessions.transaction { s ->
                s.add(OArtist("Nina Simone"))
                s.awaitFlush()
                require(false) { "refused" }
            }
        }
        assertThat(thrown).hasMessage("refused")
        assertThat(artistNames(sessions)).isEmpty()
    }

    @Test // X9
    fun aSessionTransactionRollsBackWhenCancelled(db: TestDatabase) = withEngine(db) { engine ->
        val sessions = sessions(engine)
        val flushed = CompletableDeferred<Unit>()
        val job = launch {
            sessions.transaction { s ->
                s.add(OArtist("Nina Simone"))
                s.awaitFlush()
                flushed.complete(Unit)
                awaitCancellation()
            }
        }
        flushed.await()
        job.cancelAndJoin()
        awaitIdle(engine)
        assertThat(artistNames(sessions)).isEmpty()
    }

    @Test // X9: a failing commit is thrown, never a value
    fun aSessionTransactionThatFailsToCommitThrows(db: TestDatabase) = withEngine(db) { engine ->
        val sessions = sessions(engine)
        sessions.transaction { s -> s.add(OArtist("Nina Simone")) }
        var returned = false
        assertThrows<io.retort.error.IntegrityError> {
            sessions.transaction { s ->
                s.add(OArtist("Nina Simone")) // unique name: the flush at commit fails
                "value"
            }
            returned = true
        }
        assertThat(returned).isFalse()
        assertThat(artistNames(sessions)).containsExactly("Nina Simone")
    }

    @Test // X9
    fun theSessionsReactorContextReachesItsStatements(db: TestDatabase) = withEngine(db) { engine ->
        val sessions = sessions(engine)
        val tenants = CopyOnWriteArrayList<String>()
        engine.observeStatements { start ->
            tenants.add(start.context().getOrDefault<String>("tenant", "none")!!)
            null
        }.use {
            withContext(Context.of("tenant", "acme").asCoroutineContext()) {
                sessions.transaction { s ->
                    s.add(OArtist("Nina Simone"))
                    s.awaitFlush()
                    s.flow(Orm.select(OArtist::class.java)).toList()
                }
            }
        }
        assertThat(tenants).hasSizeGreaterThanOrEqualTo(2).containsOnly("acme")
    }
}
