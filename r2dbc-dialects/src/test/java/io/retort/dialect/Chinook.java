package io.retort.dialect;

import io.retort.sql.Column;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;

import java.math.BigDecimal;

import static io.retort.sql.ColumnOption.autoIncrement;
import static io.retort.sql.ColumnOption.comment;
import static io.retort.sql.ColumnOption.notNull;
import static io.retort.sql.ColumnOption.primaryKey;
import static io.retort.sql.ColumnOption.references;

/** A subset of the Chinook schema as Retort tables, for compile tests. */
final class Chinook {
    private Chinook() {
    }

    static final ArtistTable ARTIST = new ArtistTable();
    static final AlbumTable ALBUM = new AlbumTable();
    static final TrackTable TRACK = new TrackTable();
    static final EmployeeTable EMPLOYEE = new EmployeeTable();

    static final class ArtistTable extends Table {
        final Column<Integer> artistId = column("artist_id", SqlTypes.INTEGER, primaryKey(), autoIncrement());
        final Column<String> name = column("name", SqlTypes.varchar(120), comment("Display name"));

        ArtistTable() {
            super("artist");
            tableComment("Recording artists");
        }
    }

    static final class AlbumTable extends Table {
        final Column<Integer> albumId = column("album_id", SqlTypes.INTEGER, primaryKey());
        final Column<String> title = column("title", SqlTypes.varchar(160), notNull());
        final Column<Integer> artistId = column("artist_id", SqlTypes.INTEGER, notNull(), references(ARTIST.artistId));

        AlbumTable() {
            super("album");
        }
    }

    static final class TrackTable extends Table {
        final Column<Integer> trackId = column("track_id", SqlTypes.INTEGER, primaryKey());
        final Column<String> name = column("name", SqlTypes.varchar(200), notNull());
        final Column<Integer> albumId = column("album_id", SqlTypes.INTEGER, references(ALBUM.albumId));
        final Column<Integer> milliseconds = column("milliseconds", SqlTypes.INTEGER, notNull());
        final Column<BigDecimal> unitPrice = column("unit_price", SqlTypes.numeric(10, 2), notNull());
        final Column<Double> rating = column("rating", SqlTypes.DOUBLE);

        TrackTable() {
            super("track");
        }
    }

    static final class EmployeeTable extends Table {
        final Column<Integer> employeeId = column("employee_id", SqlTypes.INTEGER, primaryKey());
        final Column<String> lastName = column("last_name", SqlTypes.varchar(20), notNull());
        final Column<Integer> reportsTo = column("reports_to", SqlTypes.INTEGER);

        EmployeeTable() {
            super("employee");
            constraint(io.retort.sql.Constraint.foreignKey("fk_employee_reports_to", java.util.List.of(reportsTo),
                    this, java.util.List.of("employee_id"), null));
        }
    }
}
