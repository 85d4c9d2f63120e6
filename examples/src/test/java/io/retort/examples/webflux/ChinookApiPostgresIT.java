package io.retort.examples.webflux;

import io.retort.tck.env.Backend;
import org.junit.jupiter.api.BeforeAll;

/** E2 on PostgreSQL (r2dbc-postgresql), found or provisioned by the TCK's harness; fails rather than skips in CI. */
class ChinookApiPostgresIT extends ChinookApiContract {
    @BeforeAll
    static void openDatabase() {
        open(Backend.POSTGRES);
    }

    @Override
    String artistListSql() {
        return "SELECT artist.artist_id, artist.name, count(album.album_id) AS albums FROM artist"
                + " LEFT OUTER JOIN album ON album.artist_id = artist.artist_id WHERE artist.name LIKE $1 || '%' ESCAPE '/'"
                + " GROUP BY artist.artist_id, artist.name ORDER BY artist.name, artist.artist_id LIMIT $2";
    }
}
