package io.retort.examples.chinook;

import io.retort.sql.Column;
import io.retort.sql.Constraint;
import io.retort.sql.Index;
import io.retort.sql.SqlTypes;
import io.retort.sql.Table;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.List;

import static io.retort.sql.ColumnOption.comment;
import static io.retort.sql.ColumnOption.notNull;
import static io.retort.sql.ColumnOption.primaryKey;
import static io.retort.sql.ColumnOption.references;

/**
 * The Chinook sample database (version 1.4.5, MIT licence, see {@code chinook/LICENSE.md}) as
 * Retort tables: the eleven tables of {@code Chinook_PostgreSql.sql} with its snake_case names,
 * column types, NOT NULL columns, primary keys, foreign keys and foreign-key indexes. Keys are
 * plain {@code INTEGER}s given by the data (no identity columns), money is {@code NUMERIC(10,2)}
 * and dates are {@code TIMESTAMP} ({@link LocalDateTime}).
 *
 * <pre>{@code
 * import static io.retort.examples.chinook.ChinookSchema.*;
 *
 * select(TRACK.name, ALBUM.title).from(TRACK.join(ALBUM, TRACK.albumId.eq(ALBUM.albumId)))
 * }</pre>
 *
 * <p>{@link #TABLES} lists the tables so that every table comes after the tables it references:
 * create and fill them in that order, drop them in the reverse order.
 */
public final class ChinookSchema {
    private ChinookSchema() {
    }

    /** {@code artist}: 275 rows. */
    public static final class ArtistTable extends Table {
        public final Column<Integer> artistId = column("artist_id", SqlTypes.INTEGER, primaryKey());
        public final Column<String> name = column("name", SqlTypes.varchar(120));

        private ArtistTable() {
            super("artist");
            tableComment("Recording artists");
        }
    }

    /** {@code genre}: 25 rows. */
    public static final class GenreTable extends Table {
        public final Column<Integer> genreId = column("genre_id", SqlTypes.INTEGER, primaryKey());
        public final Column<String> name = column("name", SqlTypes.varchar(120));

        private GenreTable() {
            super("genre");
        }
    }

    /** {@code media_type}: 5 rows. */
    public static final class MediaTypeTable extends Table {
        public final Column<Integer> mediaTypeId = column("media_type_id", SqlTypes.INTEGER, primaryKey());
        public final Column<String> name = column("name", SqlTypes.varchar(120));

        private MediaTypeTable() {
            super("media_type");
        }
    }

    /** {@code playlist}: 18 rows (names repeat: two "Music", two "Movies", ...). */
    public static final class PlaylistTable extends Table {
        public final Column<Integer> playlistId = column("playlist_id", SqlTypes.INTEGER, primaryKey());
        public final Column<String> name = column("name", SqlTypes.varchar(120));

        private PlaylistTable() {
            super("playlist");
        }
    }

    /** {@code employee}: 8 rows; {@code reports_to} references the manager (NULL for the general manager). */
    public static final class EmployeeTable extends Table {
        public final Column<Integer> employeeId = column("employee_id", SqlTypes.INTEGER, primaryKey());
        public final Column<String> lastName = column("last_name", SqlTypes.varchar(20), notNull());
        public final Column<String> firstName = column("first_name", SqlTypes.varchar(20), notNull());
        public final Column<String> title = column("title", SqlTypes.varchar(30));
        public final Column<Integer> reportsTo = column("reports_to", SqlTypes.INTEGER, references(employeeId),
                comment("The employee's manager, NULL for the general manager"));
        public final Column<LocalDateTime> birthDate = column("birth_date", SqlTypes.TIMESTAMP);
        public final Column<LocalDateTime> hireDate = column("hire_date", SqlTypes.TIMESTAMP);
        public final Column<String> address = column("address", SqlTypes.varchar(70));
        public final Column<String> city = column("city", SqlTypes.varchar(40));
        public final Column<String> state = column("state", SqlTypes.varchar(40));
        public final Column<String> country = column("country", SqlTypes.varchar(40));
        public final Column<String> postalCode = column("postal_code", SqlTypes.varchar(10));
        public final Column<String> phone = column("phone", SqlTypes.varchar(24));
        public final Column<String> fax = column("fax", SqlTypes.varchar(24));
        public final Column<String> email = column("email", SqlTypes.varchar(60));
        public final Index reportsToIdx = index("employee_reports_to_idx", false, reportsTo);

        private EmployeeTable() {
            super("employee");
            tableComment("Staff of the store, with reports_to making the management hierarchy");
        }
    }

    /** {@code album}: 347 rows. */
    public static final class AlbumTable extends Table {
        public final Column<Integer> albumId = column("album_id", SqlTypes.INTEGER, primaryKey());
        public final Column<String> title = column("title", SqlTypes.varchar(160), notNull());
        public final Column<Integer> artistId = column("artist_id", SqlTypes.INTEGER, notNull(),
                references(ARTIST.artistId));
        public final Index artistIdIdx = index("album_artist_id_idx", false, artistId);

        private AlbumTable() {
            super("album");
        }
    }

    /** {@code track}: 3503 rows. */
    public static final class TrackTable extends Table {
        public final Column<Integer> trackId = column("track_id", SqlTypes.INTEGER, primaryKey());
        public final Column<String> name = column("name", SqlTypes.varchar(200), notNull());
        public final Column<Integer> albumId = column("album_id", SqlTypes.INTEGER, references(ALBUM.albumId));
        public final Column<Integer> mediaTypeId = column("media_type_id", SqlTypes.INTEGER, notNull(),
                references(MEDIA_TYPE.mediaTypeId));
        public final Column<Integer> genreId = column("genre_id", SqlTypes.INTEGER, references(GENRE.genreId));
        public final Column<String> composer = column("composer", SqlTypes.varchar(220));
        public final Column<Integer> milliseconds = column("milliseconds", SqlTypes.INTEGER, notNull(),
                comment("Duration in milliseconds"));
        public final Column<Integer> bytes = column("bytes", SqlTypes.INTEGER, comment("File size in bytes"));
        public final Column<BigDecimal> unitPrice = column("unit_price", SqlTypes.numeric(10, 2), notNull());
        public final Index albumIdIdx = index("track_album_id_idx", false, albumId);
        public final Index genreIdIdx = index("track_genre_id_idx", false, genreId);
        public final Index mediaTypeIdIdx = index("track_media_type_id_idx", false, mediaTypeId);

        private TrackTable() {
            super("track");
        }
    }

    /** {@code customer}: 59 rows. */
    public static final class CustomerTable extends Table {
        public final Column<Integer> customerId = column("customer_id", SqlTypes.INTEGER, primaryKey());
        public final Column<String> firstName = column("first_name", SqlTypes.varchar(40), notNull());
        public final Column<String> lastName = column("last_name", SqlTypes.varchar(20), notNull());
        public final Column<String> company = column("company", SqlTypes.varchar(80));
        public final Column<String> address = column("address", SqlTypes.varchar(70));
        public final Column<String> city = column("city", SqlTypes.varchar(40));
        public final Column<String> state = column("state", SqlTypes.varchar(40));
        public final Column<String> country = column("country", SqlTypes.varchar(40));
        public final Column<String> postalCode = column("postal_code", SqlTypes.varchar(10));
        public final Column<String> phone = column("phone", SqlTypes.varchar(24));
        public final Column<String> fax = column("fax", SqlTypes.varchar(24));
        public final Column<String> email = column("email", SqlTypes.varchar(60), notNull());
        public final Column<Integer> supportRepId = column("support_rep_id", SqlTypes.INTEGER,
                references(EMPLOYEE.employeeId));
        public final Index supportRepIdIdx = index("customer_support_rep_id_idx", false, supportRepId);

        private CustomerTable() {
            super("customer");
        }
    }

    /** {@code invoice}: 412 rows; {@code total} is the sum of the invoice's lines. */
    public static final class InvoiceTable extends Table {
        public final Column<Integer> invoiceId = column("invoice_id", SqlTypes.INTEGER, primaryKey());
        public final Column<Integer> customerId = column("customer_id", SqlTypes.INTEGER, notNull(),
                references(CUSTOMER.customerId));
        public final Column<LocalDateTime> invoiceDate = column("invoice_date", SqlTypes.TIMESTAMP, notNull());
        public final Column<String> billingAddress = column("billing_address", SqlTypes.varchar(70));
        public final Column<String> billingCity = column("billing_city", SqlTypes.varchar(40));
        public final Column<String> billingState = column("billing_state", SqlTypes.varchar(40));
        public final Column<String> billingCountry = column("billing_country", SqlTypes.varchar(40));
        public final Column<String> billingPostalCode = column("billing_postal_code", SqlTypes.varchar(10));
        public final Column<BigDecimal> total = column("total", SqlTypes.numeric(10, 2), notNull());
        public final Index customerIdIdx = index("invoice_customer_id_idx", false, customerId);

        private InvoiceTable() {
            super("invoice");
        }
    }

    /** {@code invoice_line}: 2240 rows. */
    public static final class InvoiceLineTable extends Table {
        public final Column<Integer> invoiceLineId = column("invoice_line_id", SqlTypes.INTEGER, primaryKey());
        public final Column<Integer> invoiceId = column("invoice_id", SqlTypes.INTEGER, notNull(),
                references(INVOICE.invoiceId));
        public final Column<Integer> trackId = column("track_id", SqlTypes.INTEGER, notNull(),
                references(TRACK.trackId));
        public final Column<BigDecimal> unitPrice = column("unit_price", SqlTypes.numeric(10, 2), notNull());
        public final Column<Integer> quantity = column("quantity", SqlTypes.INTEGER, notNull());
        public final Index invoiceIdIdx = index("invoice_line_invoice_id_idx", false, invoiceId);
        public final Index trackIdIdx = index("invoice_line_track_id_idx", false, trackId);

        private InvoiceLineTable() {
            super("invoice_line");
        }
    }

    /** {@code playlist_track}: 8715 rows, the many-to-many link of playlist and track. */
    public static final class PlaylistTrackTable extends Table {
        public final Column<Integer> playlistId = column("playlist_id", SqlTypes.INTEGER, notNull(),
                references(PLAYLIST.playlistId));
        public final Column<Integer> trackId = column("track_id", SqlTypes.INTEGER, notNull(),
                references(TRACK.trackId));
        public final Index playlistIdIdx = index("playlist_track_playlist_id_idx", false, playlistId);
        public final Index trackIdIdx = index("playlist_track_track_id_idx", false, trackId);

        private PlaylistTrackTable() {
            super("playlist_track");
            constraint(Constraint.primaryKey(playlistId, trackId));
        }
    }

    // Declared after the classes and in dependency order: a table's field initialisers read the
    // tables it references, so those must already exist.
    public static final ArtistTable ARTIST = new ArtistTable();
    public static final GenreTable GENRE = new GenreTable();
    public static final MediaTypeTable MEDIA_TYPE = new MediaTypeTable();
    public static final PlaylistTable PLAYLIST = new PlaylistTable();
    public static final EmployeeTable EMPLOYEE = new EmployeeTable();
    public static final AlbumTable ALBUM = new AlbumTable();
    public static final TrackTable TRACK = new TrackTable();
    public static final CustomerTable CUSTOMER = new CustomerTable();
    public static final InvoiceTable INVOICE = new InvoiceTable();
    public static final InvoiceLineTable INVOICE_LINE = new InvoiceLineTable();
    public static final PlaylistTrackTable PLAYLIST_TRACK = new PlaylistTrackTable();

    /** All eleven tables, each after the tables it references (creation and load order). */
    public static final List<Table> TABLES = List.of(ARTIST, GENRE, MEDIA_TYPE, PLAYLIST, EMPLOYEE, ALBUM, TRACK,
            CUSTOMER, INVOICE, INVOICE_LINE, PLAYLIST_TRACK);

    /** The table called {@code name}, or an {@link IllegalArgumentException}. */
    public static Table table(String name) {
        for (Table t : TABLES) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Chinook has no table '" + name + "'");
    }
}
