package io.retort.kotlin

import io.retort.engine.Engine
import io.retort.engine.EngineOptions
import io.retort.orm.SessionFactory
import io.retort.sql.Column
import io.retort.sql.ColumnOption.notNull
import io.retort.sql.ColumnOption.primaryKey
import io.retort.sql.Sql.createTable
import io.retort.sql.Sql.insert
import io.retort.sql.Sql.select
import io.retort.sql.Sql.update
import io.retort.sql.SqlTypes
import io.retort.sql.Table
import io.retort.tck.env.Backend
import io.retort.tck.env.RequiresDatabase
import io.retort.tck.env.TestDatabase
import io.retort.tck.orm.Entities
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test

private typealias Artist = Entities.OArtist

/** The README's Kotlin section, line for line, run on H2: the example compiles and does what it says. */
@RequiresDatabase(Backend.H2)
class ReadmeExampleTest {

    object ArtistTable : Table("artist") {
        val artistId: Column<Int> = column("artist_id", SqlTypes.INTEGER, primaryKey())
        val name: Column<String> = column("name", SqlTypes.varchar(120), notNull())
    }

    private val ARTIST = ArtistTable

    // --- README: begin
    suspend fun rename(engine: Engine, id: Int, name: String): Long =
        engine.transaction { c ->                                    // COMMIT when the block returns,
            c.execute(update(ARTIST).set(ARTIST.name, name)           // ROLLBACK if it throws or is cancelled
                .where(ARTIST.artistId.eq(id))).awaitRowsAffected()
        }

    suspend fun firstNames(engine: Engine): List<String> =
        engine.flow(select(ARTIST.name).from(ARTIST).orderBy(ARTIST.name))
            .map { it.get(ARTIST.name) }.take(10).toList()           // the connection goes back after 10

    suspend fun addArtist(sessions: SessionFactory, name: String): Int =
        sessions.transaction { s ->                                  // returns only once committed
            val artist = Artist(name)
            s.add(artist)
            s.awaitFlush()                                           // the INSERT runs; the id is set
            artist.id
        }

    suspend fun findArtist(sessions: SessionFactory, id: Int): Artist? =
        sessions.session { s -> s.get<Artist>(id) }                 // one SELECT, or the identity map
    // --- README: end

    @Test // X9
    fun theReadmeExampleRuns(db: TestDatabase): Unit = runBlocking {
        val engine = Engine.create(db.options(), EngineOptions.builder().maxPoolSize(2).build())
        try {
            engine.transaction { c ->
                c.execute(createTable(ARTIST)).awaitRowsAffected()
                for ((i, n) in listOf("Queen", "AC/DC", "Björk").withIndex()) {
                    c.execute(insert(ARTIST).set(ARTIST.artistId, i + 1).set(ARTIST.name, n)).awaitRowsAffected()
                }
            }
            assertThat(rename(engine, 3, "Bjork")).isEqualTo(1L)
            assertThat(firstNames(engine)).containsExactly("AC/DC", "Bjork", "Queen")

            val registry = Entities.registry()
            engine.connection { c -> registry.tables().forEach { c.execute(createTable(it)).awaitRowsAffected() } }
            val sessions = SessionFactory.of(engine, registry)
            val id = addArtist(sessions, "Nina Simone")
            assertThat(findArtist(sessions, id)?.name).isEqualTo("Nina Simone")
            assertThat(findArtist(sessions, id + 1)).isNull()
            assertThat(engine.poolStats().orElseThrow().acquired()).isZero()
        } finally {
            engine.awaitDispose()
        }
    }
}
