package io.retort.sql;

import io.retort.error.ArgumentError;
import io.retort.sql.compile.KeyBuilder;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Literal SQL text with named binds, {@code text("SELECT * FROM t WHERE a = :a").bind("a", 5)}.
 * The text is parsed once: {@code :name} outside string literals, quoted identifiers, comments
 * and dollar quotes becomes a placeholder; {@code ::} (a PostgreSQL cast) and {@code \:} stay
 * text. Where a literal ends follows the dialect it is compiled for: on MariaDB and MySQL a
 * backslash escapes a quote ({@code 'it\'s :x'} is one literal, {@code :x} no bind; it is sent as
 * {@code 'it''s :x'}, which MySQL reads alike and every driver's placeholder scan understands)
 * and {@code #} starts a comment; on PostgreSQL ({@code standard_conforming_strings}), H2 and
 * SQLite a backslash is an ordinary character. Bound values are never re-scanned, so a value
 * such as {@code ":b"} or {@code "$1"} is sent verbatim (bad-input row B8). The text is trusted SQL: never build it from user input.
 *
 * <p>The text is one statement: a {@code ;} followed by more SQL is an {@link ArgumentError} when
 * it is compiled for a dialect, before anything is sent (bad-input row B19), since most drivers would run the second statement (r2dbc-h2,
 * r2dbc-postgresql without binds, r2dbc-mysql, and pgjdbc, Connector/J and sqlite-jdbc through
 * the bridge all do). A trailing {@code ;} is allowed. Send several statements one at a time.
 */
public final class TextClause extends Node implements Statement {
    private final String text;
    /** The text between binds and the bind names in the standard reading (PostgreSQL, H2, SQLite). */
    private final Reading standard;
    /** The same in MySQL's reading (MariaDB, MySQL); the same object when the two cannot differ. */
    private final Reading mysql;
    private final Map<String, BindParam<?>> binds;

    /** The text cut at its binds under one dialect family's lexical rules. */
    private static final class Reading {
        final List<String> chunks;
        final List<String> names;

        Reading(List<String> chunks, List<String> names) {
            this.chunks = chunks;
            this.names = names;
        }
    }

    private TextClause(String text, Reading standard, Reading mysql, Map<String, BindParam<?>> binds) {
        this.text = text;
        this.standard = standard;
        this.mysql = mysql;
        this.binds = binds;
    }

    /**
     * Parses the text under both lexical rules a dialect may apply, since which applies is known
     * only when it is compiled: standard SQL (a backslash is an ordinary character in a literal,
     * as under PostgreSQL's {@code standard_conforming_strings} and in H2 and SQLite; {@code $tag$}
     * quotes) and MySQL's ({@code \'} and {@code \"} escape the quote inside a literal, unless the
     * server runs with {@code NO_BACKSLASH_ESCAPES}; {@code #} comments; no dollar quotes). The
     * two can differ only for text with a backslash, {@code #} or {@code $}, so other text is read
     * once.
     */
    static TextClause parse(String sql) {
        if (sql == null || sql.isBlank()) {
            throw new ArgumentError("SQL text must not be empty");
        }
        Reading standard = read(sql, false);
        boolean mayDiffer = sql.indexOf('\\') >= 0 || sql.indexOf('#') >= 0 || sql.indexOf('$') >= 0
                || sql.contains("/*!");
        return new TextClause(sql, standard, mayDiffer ? read(sql, true) : standard, Map.of());
    }

    /**
     * Cuts the text at each {@code :name} outside literals, quoted identifiers, comments and
     * dollar quotes, as {@link #skipNonCode} finds them under the given rules; {@code ::} and
     * {@code \:} stay text (the latter as {@code :}).
     */
    private static Reading read(String sql, boolean mysqlSyntax) {
        List<String> chunks = new ArrayList<>();
        List<String> names = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            int skip = skipNonCode(sql, i, mysqlSyntax, mysqlSyntax);
            if (skip > i && mysqlSyntax && (c == '\'' || c == '"')) {
                appendDoublingEscapedQuotes(cur, sql, i, skip);
                i = skip;
            } else if (skip > i) {
                cur.append(sql, i, skip);
                i = skip;
            } else if (c == '\\' && i + 1 < n && sql.charAt(i + 1) == ':') {
                cur.append(':');
                i += 2;
            } else if (c == ':' && i + 1 < n && sql.charAt(i + 1) == ':') {
                cur.append("::");
                i += 2;
            } else if (c == ':' && i + 1 < n && isStart(sql.charAt(i + 1)) && (i == 0 || !isPart(sql.charAt(i - 1)))) {
                int j = i + 1;
                while (j < n && isPart(sql.charAt(j))) {
                    j++;
                }
                chunks.add(cur.toString());
                cur.setLength(0);
                names.add(sql.substring(i + 1, j));
                i = j;
            } else {
                cur.append(c);
                i++;
            }
        }
        chunks.add(cur.toString());
        return new Reading(List.copyOf(chunks), List.copyOf(names));
    }

    /**
     * Refuses SQL text holding more than one statement (bad-input row B19): a {@code ;} outside
     * string literals, quoted identifiers, comments and (except on MySQL) dollar quotes, followed
     * by anything but blanks, comments and more {@code ;}. Whether a backslash escapes a quote
     * depends on server settings the text cannot see (PostgreSQL's
     * {@code standard_conforming_strings}, MySQL's {@code NO_BACKSLASH_ESCAPES}), so the text is
     * read both ways and refused if either reading finds a second statement: the two disagree on
     * where {@code 'it\'s'} ends, and a check that guessed wrong would let one through.
     *
     * @param mysqlSyntax MySQL's lexical rules ({@link io.retort.sql.compile.Dialect#mysqlTextSyntax})
     * @throws ArgumentError naming the position of the {@code ;}
     */
    public static void requireOneStatement(String sql, boolean mysqlSyntax) {
        if (sql.indexOf(';') < 0) {
            return; // most text: nothing to read
        }
        int at = Math.max(separator(sql, mysqlSyntax, false), separator(sql, mysqlSyntax, true));
        if (at >= 0) {
            throw new ArgumentError("SQL text must be one statement, but a second one follows the ';' at offset " + at
                    + ": send each statement on its own (some drivers would run both, B19). Text: "
                    + (sql.length() > 200 ? sql.substring(0, 200) + "..." : sql));
        }
    }

    /**
     * Splits a script into its statements at each {@code ;} outside string literals, quoted
     * identifiers, comments and (except on MySQL) dollar quotes; each statement is returned
     * without its {@code ;} and the blanks and comments before it, and pieces holding nothing else
     * are dropped. Literals are read as the dialect reads them by default, as {@code text()} binds
     * are: on MariaDB/MySQL a backslash escapes a quote, so {@code 'it\'s; fine'} is one literal
     * (a server running with {@code NO_BACKSLASH_ESCAPES} would read it otherwise: double the quote
     * there). Elsewhere a backslash may escape or not ({@code E'...'} literals, PostgreSQL's
     * {@code standard_conforming_strings}), so the script is split under both readings and, where
     * the two disagree, refused rather than split at a guess.
     *
     * @param mysqlSyntax MySQL's lexical rules ({@link io.retort.sql.compile.Dialect#mysqlTextSyntax})
     * @throws ArgumentError when the two readings split the script differently (not on MySQL)
     */
    public static List<String> splitStatements(String script, boolean mysqlSyntax) {
        java.util.Objects.requireNonNull(script, "script");
        List<Integer> ends = semicolons(script, mysqlSyntax, mysqlSyntax);
        if (!mysqlSyntax && !ends.equals(semicolons(script, false, true))) {
            throw new ArgumentError("The script's statements cannot be told apart: a backslash in a literal ends it or not"
                    + " depending on a server setting (standard_conforming_strings, NO_BACKSLASH_ESCAPES), and the two readings"
                    + " split it differently; double the quote ('it''s') instead of a backslash, or run the statements one by one");
        }
        List<String> statements = new ArrayList<>();
        int from = 0;
        ends = new ArrayList<>(ends);
        ends.add(script.length());
        for (int end : ends) {
            int start = codeStart(script, from, end, mysqlSyntax);
            if (start < end) {
                statements.add(script.substring(start, end).strip());
            }
            from = end + 1;
        }
        return List.copyOf(statements);
    }

    /** The offsets of every top-level {@code ;} in one reading of the text. */
    private static List<Integer> semicolons(String sql, boolean mysql, boolean backslashEscapes) {
        List<Integer> at = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            int skip = skipNonCode(sql, i, mysql, backslashEscapes);
            if (skip > i) {
                i = skip;
            } else {
                if (sql.charAt(i) == ';') {
                    at.add(i);
                }
                i++;
            }
        }
        return at;
    }

    /**
     * Where the statement in {@code sql[from, end)} starts after its leading blanks and comments
     * (they are not sent: a comment is no statement), or {@code end} when there is only those.
     */
    private static int codeStart(String sql, int from, int end, boolean mysql) {
        int i = from;
        while (i < end) {
            char c = sql.charAt(i);
            int skip = skipNonCode(sql, i, mysql, false);
            if (skip > i && c != '\'' && c != '"' && c != '`' && c != '$') {
                i = skip;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else {
                return i;
            }
        }
        return end;
    }

    /**
     * The offset of the first top-level {@code ;} when another statement follows it (anything but
     * blanks, comments and more {@code ;}), or -1, in one reading of the text.
     */
    private static int separator(String sql, boolean mysql, boolean backslashEscapes) {
        List<Integer> at = semicolons(sql, mysql, backslashEscapes);
        for (int k = 0; k < at.size(); k++) {
            int next = k + 1 < at.size() ? at.get(k + 1) : sql.length();
            if (codeStart(sql, at.get(k) + 1, next, mysql) < next) {
                return at.get(0);
            }
        }
        return -1;
    }

    /**
     * The end of the literal, quoted identifier, comment or dollar quote starting at {@code i}, or
     * {@code i} when none starts there. Literals and quoted identifiers are skipped too (a
     * {@code ;} in them is text); comments count as blanks.
     */
    private static int skipNonCode(String sql, int i, boolean mysql, boolean backslashEscapes) {
        int n = sql.length();
        char c = sql.charAt(i);
        if (c == '\'' || c == '"' || c == '`') {
            int j = i + 1;
            while (j < n) {
                char d = sql.charAt(j);
                if (backslashEscapes && d == '\\' && c == '\'' || mysql && backslashEscapes && d == '\\' && c == '"') {
                    j += 2;
                } else if (d == c && j + 1 < n && sql.charAt(j + 1) == c) {
                    j += 2;
                } else if (d == c) {
                    return j + 1;
                } else {
                    j++;
                }
            }
            return n;
        }
        if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-' || mysql && c == '#') {
            int end = sql.indexOf('\n', i);
            return end < 0 ? n : end + 1;
        }
        if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*' && !(mysql && i + 2 < n && sql.charAt(i + 2) == '!')) {
            int end = sql.indexOf("*/", i + 2);
            return end < 0 ? n : end + 2;
        }
        if (!mysql && c == '$') {
            String tag = dollarTag(sql, i);
            if (tag != null) {
                int end = sql.indexOf(tag, i + tag.length());
                return end < 0 ? n : end + tag.length();
            }
        }
        return i;
    }

    /**
     * Copies the MySQL literal {@code sql[from, to)}, writing each backslash-escaped quote of its
     * own kind ({@code \'} in {@code '...'}) as the doubled quote ({@code ''}), which MySQL reads
     * alike. Drivers that look for {@code ?} placeholders in the text do not all know backslash
     * escapes: r2dbc-mysql (1.4) ends the literal at {@code \'}, and would then miss a placeholder
     * after it, or take a {@code ?} inside it for one.
     */
    private static void appendDoublingEscapedQuotes(StringBuilder out, String sql, int from, int to) {
        char quote = sql.charAt(from);
        out.append(quote);
        int i = from + 1;
        while (i < to) {
            char d = sql.charAt(i);
            if (d == '\\' && i + 1 < to) {
                char next = sql.charAt(i + 1);
                if (next == quote) {
                    out.append(quote).append(quote);
                } else {
                    out.append(d).append(next);
                }
                i += 2;
            } else {
                out.append(d);
                i++;
            }
        }
    }

    private static String dollarTag(String s, int i) {
        int j = i + 1;
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
            j++;
        }
        if (j < s.length() && s.charAt(j) == '$' && (j == i + 1 || !Character.isDigit(s.charAt(i + 1)))) {
            return s.substring(i, j + 1);
        }
        return null;
    }

    private static boolean isStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    /** Binds a value to {@code :name}, typed from the value. */
    public TextClause bind(String name, Object value) {
        return bind(name, value, value == null ? SqlTypes.NULL : SqlTypes.infer(value));
    }

    /** Binds a value to {@code :name} with an explicit type. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public TextClause bind(String name, Object value, SqlType<?> type) {
        if (!standard.names.contains(name) && !mysql.names.contains(name)) {
            throw new ArgumentError("The text has no bind named :" + name + "; its binds are " + allNames());
        }
        Map<String, BindParam<?>> m = new HashMap<>(binds);
        m.put(name, new BindParam(type, type.checkBindValue(value), name, false));
        return new TextClause(text, standard, mysql, Collections.unmodifiableMap(m));
    }

    /** The bind names of both readings, in order of appearance, each once. */
    private Set<String> allNames() {
        Set<String> all = new LinkedHashSet<>(standard.names);
        all.addAll(mysql.names);
        return all;
    }

    public String text() {
        return text;
    }

    /** The text between binds in the standard reading; one more than {@link #bindNames()}. */
    public List<String> chunks() {
        return standard.chunks;
    }

    /** The bind names in order of appearance in the standard reading (a name may repeat). */
    public List<String> bindNames() {
        return standard.names;
    }

    /**
     * The text between binds as a dialect reads it: with {@code mysqlSyntax}
     * ({@link io.retort.sql.compile.Dialect#mysqlTextSyntax}) a backslash escapes a quote inside a
     * literal, so {@code 'it\'s :x'} is one literal and {@code :x} no bind; otherwise it is
     * {@link #chunks()}. One more than {@link #bindNames(boolean)}.
     */
    public List<String> chunks(boolean mysqlSyntax) {
        return (mysqlSyntax ? mysql : standard).chunks;
    }

    /** The bind names in order of appearance as a dialect reads the text (see {@link #chunks(boolean)}). */
    public List<String> bindNames(boolean mysqlSyntax) {
        return (mysqlSyntax ? mysql : standard).names;
    }

    /** The bound parameter for {@code name}; an {@link ArgumentError} listing every unbound name. */
    public BindParam<?> bindFor(String name) {
        BindParam<?> b = binds.get(name);
        if (b == null) {
            Set<String> missing = allNames();
            missing.removeAll(binds.keySet());
            throw new ArgumentError("Text SQL has unbound parameters " + missing + ": bind them with .bind(name, value)");
        }
        return b;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitText(this);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("text", text);
        if (mysql == standard) {
            for (String name : standard.names) {
                bindFor(name).appendKey(key);
            }
            return;
        }
        // The key does not know the dialect: a name both readings have must be bound; one only
        // one reading has is keyed when bound, and the compile for a dialect that reads it
        // refuses it unbound (bindFor).
        for (String name : allNames()) {
            BindParam<?> b = binds.get(name);
            if (b != null || standard.names.contains(name) && mysql.names.contains(name)) {
                key.add("bind", name);
                bindFor(name).appendKey(key);
            }
        }
    }
}
