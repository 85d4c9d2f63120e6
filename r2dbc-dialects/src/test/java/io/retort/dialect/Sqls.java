package io.retort.dialect;

import io.retort.dialect.h2.H2Dialect;
import io.retort.dialect.mariadb.MariaDbDialect;
import io.retort.dialect.mysql.MySqlDialect;
import io.retort.dialect.postgresql.PostgresDialect;
import io.retort.sql.Statement;
import io.retort.sql.compile.BoundStatement;
import io.retort.sql.compile.Compiler;
import io.retort.sql.compile.Dialect;
import io.retort.sql.compile.KeyBuilder;

import java.util.Arrays;
import java.util.List;

/** Compile helpers for the dialect tests: the SQL and parameters a driver would receive. */
final class Sqls {
    static final Dialect PG = PostgresDialect.INSTANCE;
    static final Dialect MYSQL = MySqlDialect.INSTANCE;
    static final Dialect MARIADB = MariaDbDialect.INSTANCE;
    static final Dialect H2 = H2Dialect.INSTANCE;

    private Sqls() {
    }

    /** The SQL sent for this statement's own values. */
    static String sql(Statement s, Dialect d) {
        return bound(s, d).sql();
    }

    static BoundStatement bound(Statement s, Dialect d) {
        KeyBuilder kb = new KeyBuilder(false);
        s.appendKey(kb);
        return Compiler.compile(s, d).bind(kb.values());
    }

    static List<Object> params(Statement s, Dialect d) {
        return Arrays.asList(bound(s, d).values());
    }

    static String literal(Statement s, Dialect d) {
        return Compiler.render(s, d, true);
    }
}
