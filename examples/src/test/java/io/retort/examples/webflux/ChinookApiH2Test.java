package io.retort.examples.webflux;

import io.retort.tck.env.Backend;
import org.junit.jupiter.api.BeforeAll;

/** E2 on embedded H2 (the service's default database), in the unit-test phase: no server needed. */
class ChinookApiH2Test extends ChinookApiContract {
    @BeforeAll
    static void openDatabase() {
        open(Backend.H2);
    }

    @Override
    String artistListSql() {
        return "SELECT artist.artist_id, artist.name, count(album.album_id) AS albums FROM artist"
                + " LEFT OUTER JOIN album ON album.artist_id = artist.artist_id WHERE artist.name LIKE $1 || '%' ESCAPE '/'"
                + " GROUP BY artist.artist_id, artist.name ORDER BY artist.name, artist.artist_id FETCH FIRST $2 ROWS ONLY";
    }
}
