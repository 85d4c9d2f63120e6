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
 * text. Bound values are never re-scanned, so a value such as {@code ":b"} or {@code "$1"} is
 * sent verbatim (bad-input row B8). The text is trusted SQL: never build it from user input.
 *
 * <p>The text is one statement: a {@code ;} followed by more SQL is an {@link ArgumentError} when
 * it is compiled for a dialect, before anything is sent (bad-input row B19), since most drivers would run the second statement (r2dbc-h2,
 * r2dbc-postgresql without binds, r2dbc-mysql, and pgjdbc, Connector/J and sqlite-jdbc through
 * the bridge all do). A trailing {@code ;} is allowed. Send several statements one at a time.
 */
public final class TextClause extends Node implements Statement {
    private final String text;
    private final List<String> chunks;
    private final List<String> names;
    private final Map<String, BindParam<?>> binds;

    private TextClause(String text, List<String> chunks, List<String> names, Map<String, BindParam<?>> binds) {
        this.text = text;
        this.chunks = chunks;
        this.names = names;
        this.binds = binds;
    }

    static TextClause parse(String sql) {
        if (sql == null || sql.isBlank()) {
            throw new ArgumentError("SQL text must not be empty");
        }
        List<String> chunks = new ArrayList<>();
        List<String> names = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                int end = closing(sql, i, c);
                cur.append(sql, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                cur.append(sql, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                cur.append(sql, i, end);
                i = end;
            } else if (c == '$' && dollarTag(sql, i) != null) {
                String tag = dollarTag(sql, i);
                int end = sql.indexOf(tag, i + tag.length());
                end = end < 0 ? n : end + tag.length();
                cur.append(sql, i, end);
                i = end;
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
        return new TextClause(sql, List.copyOf(chunks), List.copyOf(names), Map.of());
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
     * identifiers, comments and (except on MySQL) dollar quotes, as {@link #requireOneStatement}
     * reads them; each statement is returned without its {@code ;} and the blanks and comments
     * before it, and pieces holding nothing else are dropped. The text is split under both readings of a backslash in a
     * literal; where the two disagree (a {@code 'it\'s'} whose end depends on a server setting),
     * the script is refused rather than split at a guess.
     *
     * @param mysqlSyntax MySQL's lexical rules ({@link io.retort.sql.compile.Dialect#mysqlTextSyntax})
     * @throws ArgumentError when the two readings split the script differently
     */
    public static List<String> splitStatements(String script, boolean mysqlSyntax) {
        java.util.Objects.requireNonNull(script, "script");
        List<Integer> ends = semicolons(script, mysqlSyntax, false);
        if (!ends.equals(semicolons(script, mysqlSyntax, true))) {
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

    private static int closing(String s, int start, char q) {
        int i = start + 1;
        while (i < s.length()) {
            if (s.charAt(i) == q) {
                if (i + 1 < s.length() && s.charAt(i + 1) == q) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return s.length();
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
        if (!names.contains(name)) {
            throw new ArgumentError("The text has no bind named :" + name + "; its binds are " + new LinkedHashSet<>(names));
        }
        Map<String, BindParam<?>> m = new HashMap<>(binds);
        m.put(name, new BindParam(type, type.checkBindValue(value), name, false));
        return new TextClause(text, chunks, names, Collections.unmodifiableMap(m));
    }

    public String text() {
        return text;
    }

    /** The text between binds; one more than {@link #bindNames()}. */
    public List<String> chunks() {
        return chunks;
    }

    /** The bind names in order of appearance (a name may repeat). */
    public List<String> bindNames() {
        return names;
    }

    /** The bound parameter for {@code name}; an {@link ArgumentError} listing every unbound name. */
    public BindParam<?> bindFor(String name) {
        BindParam<?> b = binds.get(name);
        if (b == null) {
            Set<String> missing = new LinkedHashSet<>(names);
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
        for (String name : names) {
            bindFor(name).appendKey(key);
        }
    }
}
