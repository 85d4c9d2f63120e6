package io.retort.bridge.jdbc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * SQL as R2DBC callers write it, translated for JDBC. R2DBC drivers disagree on bind markers
 * (ECOSYSTEM §1.3): r2dbc-postgresql and r2dbc-h2 take {@code $1, $2}, MySQL-family drivers
 * {@code ?}, some {@code :name}. Retort's PostgreSQL and H2 dialects render {@code $n}; JDBC
 * takes only {@code ?}. So the bridge accepts all three and rewrites them to {@code ?}, which is
 * what lets Core run on the bridge unchanged:
 *
 * <ul>
 *   <li>{@code $n} (1-based): parameter index n−1, bindable by index or by the name {@code "$n"}.
 *       A marker used twice becomes two {@code ?} bound to the same value; markers may appear
 *       in any order.</li>
 *   <li>{@code :name}: parameters numbered by first appearance, bindable by {@code "name"}
 *       (or {@code ":name"}) or by index. {@code ::} (a PostgreSQL cast) and a {@code :} right
 *       after an identifier, a digit or {@code ]} (an array slice) are not markers.</li>
 *   <li>{@code ?}: positional, bindable by index only; the JDBC text is unchanged.</li>
 * </ul>
 *
 * Markers are recognised only in SQL text: never inside '…' strings, "…" or `…` identifiers,
 * {@code --}/{@code #} line comments, (nested) block comments or {@code $tag$} strings, each per
 * the product's rules ({@link Product}). When SQL mixes {@code $n}/{@code :name} with a bare
 * {@code ?}, the {@code ?} is an operator (PostgreSQL jsonb) and is written {@code ??} for
 * pgjdbc; other products refuse the mix.
 *
 * <p>The parse also finds statement boundaries. A text with several statements
 * ({@code SELECT 1; SELECT 2}) is split into {@link #pieces()} that run one after another
 * (JDBC drivers other than pgjdbc return only the first statement's result, or refuse the text),
 * except on PostgreSQL, where pgjdbc returns every result itself. Semicolons inside
 * {@code BEGIN … END} bodies of CREATE TRIGGER/PROCEDURE/FUNCTION do not split.
 *
 * <p>Immutable; cached per factory by SQL text.
 */
final class ParsedSql {
    /** How the caller's markers were spelled. */
    enum Style { NONE, QUESTION, DOLLAR, NAMED }

    private static final Set<String> ROW_WORDS = Set.of(
            "SELECT", "WITH", "VALUES", "TABLE", "SHOW", "EXPLAIN", "DESCRIBE", "DESC", "CALL", "PRAGMA");
    private static final Set<String> ROUTINE_WORDS = Set.of("TRIGGER", "PROCEDURE", "FUNCTION", "EVENT");

    private final String source;
    private final String jdbcSql;
    private final Style style;
    private final int parameterCount;
    private final int[] jdbcToParameter;
    private final Map<String, Integer> names;
    private final boolean compound;
    private final boolean returnsRows;
    private final List<ParsedSql> pieces;

    private ParsedSql(String source, String jdbcSql, Style style, int parameterCount, int[] jdbcToParameter,
                      Map<String, Integer> names, boolean compound, boolean returnsRows, List<ParsedSql> pieces) {
        this.source = source;
        this.jdbcSql = jdbcSql;
        this.style = style;
        this.parameterCount = parameterCount;
        this.jdbcToParameter = jdbcToParameter;
        this.names = names;
        this.compound = compound;
        this.returnsRows = returnsRows;
        this.pieces = pieces == null ? List.of(this) : pieces;
    }

    /** The caller's SQL. */
    String source() {
        return source;
    }

    /** The SQL for JDBC, with {@code ?} placeholders. */
    String jdbcSql() {
        return jdbcSql;
    }

    Style style() {
        return style;
    }

    /** How many values the caller binds (R2DBC indexes 0 … count−1). */
    int parameterCount() {
        return parameterCount;
    }

    /** For JDBC placeholder j (0-based), the R2DBC parameter index whose value it takes. */
    int[] jdbcToParameter() {
        return jdbcToParameter;
    }

    /** The parameter index for a bind name, or −1. */
    int indexOf(String name) {
        Integer i = names.get(name);
        if (i == null && style == Style.NAMED && name.startsWith(":")) {
            i = names.get(name.substring(1));
        }
        return i == null ? -1 : i;
    }

    /**
     * Whether this text still holds several statements for the driver to run (PostgreSQL only;
     * elsewhere they are split into {@link #pieces()}).
     */
    boolean compound() {
        return compound;
    }

    /** Whether the (first) statement returns rows: a query, or DML with RETURNING. */
    boolean returnsRows() {
        return returnsRows;
    }

    /** The statements to run in order: this text itself unless it was split. */
    List<ParsedSql> pieces() {
        return pieces;
    }

    /**
     * Parses {@code sql} under {@code product}'s quoting rules.
     *
     * @throws IllegalArgumentException for SQL mixing marker styles, or {@code $0}
     */
    static ParsedSql parse(String sql, Product product) {
        Scanner whole = new Scanner(sql, product, 0, null);
        whole.run();
        ParsedSql parsed = whole.result(null);
        if (whole.splits.isEmpty() || product == Product.POSTGRESQL) {
            return parsed;
        }
        // Split at top-level semicolons; number markers across pieces as in the whole text.
        List<ParsedSql> pieces = new ArrayList<>();
        Map<String, Integer> names = new LinkedHashMap<>();
        int from = 0;
        int questions = 0;
        List<Integer> cuts = new ArrayList<>(whole.allSplits);
        cuts.add(sql.length());
        for (int cut : cuts) {
            String text = sql.substring(from, cut);
            from = cut + 1;
            if (isBlank(text, product)) {
                continue;
            }
            Scanner s = new Scanner(text, product, questions, names);
            s.run();
            ParsedSql piece = s.result(null);
            questions += s.questionMarks;
            pieces.add(piece);
        }
        if (pieces.size() <= 1) {
            return new ParsedSql(parsed.source, parsed.jdbcSql, parsed.style, parsed.parameterCount,
                    parsed.jdbcToParameter, parsed.names, false, parsed.returnsRows, null);
        }
        return new ParsedSql(parsed.source, parsed.jdbcSql, parsed.style, parsed.parameterCount, parsed.jdbcToParameter,
                parsed.names, false, pieces.get(0).returnsRows, Collections.unmodifiableList(pieces));
    }

    /** Whether {@code text} holds only whitespace, semicolons and comments. */
    private static boolean isBlank(String text, Product product) {
        Scanner s = new Scanner(text, product, 0, null);
        s.run();
        return !s.content;
    }

    /** A one-pass lexer that copies SQL, rewriting markers and noting statement boundaries. */
    private static final class Scanner {
        private final String sql;
        private final Product product;
        private final int questionOffset;
        private final Map<String, Integer> names;
        private final StringBuilder out;
        /** Each '?' written to {@code out}: {position in out, parameter index, or -1-k for the k-th bare '?'}. */
        private final List<int[]> placeholders = new ArrayList<>();
        private final List<Integer> splits = new ArrayList<>();
        private final List<Integer> allSplits = new ArrayList<>();
        private int questionMarks;
        private int maxDollar;
        private boolean dollar;
        private boolean named;
        private String firstWord;
        private String statementFirstWord;
        private boolean routine;
        private int blockDepth;
        private boolean returning;
        private int depth;
        private String previousWord;
        private boolean content;

        Scanner(String sql, Product product, int questionOffset, Map<String, Integer> sharedNames) {
            this.sql = sql;
            this.product = product;
            this.questionOffset = questionOffset;
            this.names = sharedNames != null ? sharedNames : new LinkedHashMap<>();
            this.out = new StringBuilder(sql.length() + 8);
        }

        void run() {
            int n = sql.length();
            int i = 0;
            while (i < n) {
                char c = sql.charAt(i);
                boolean commentStart = (c == '-' && at(i + 1) == '-') || (c == '/' && at(i + 1) == '*')
                        || (c == '#' && product.hashComments());
                if (!commentStart && c != ';' && !Character.isWhitespace(c)) {
                    content = true;
                }
                switch (c) {
                    case '\'':
                        i = copyQuoted(i, '\'', product.backslashEscapes() || isEscapeString(i));
                        continue;
                    case '"':
                        i = copyQuoted(i, '"', product.backslashEscapes());
                        continue;
                    case '`':
                        if (product.backtickIdentifiers()) {
                            i = copyQuoted(i, '`', false);
                            continue;
                        }
                        break;
                    case '-':
                        if (at(i + 1) == '-') {
                            i = copyLineComment(i);
                            continue;
                        }
                        break;
                    case '#':
                        if (product.hashComments()) {
                            i = copyLineComment(i);
                            continue;
                        }
                        break;
                    case '/':
                        if (at(i + 1) == '*') {
                            i = copyBlockComment(i);
                            continue;
                        }
                        break;
                    case '$':
                        if (isDigit(at(i + 1)) && !identifierChar(before(i))) {
                            i = dollarMarker(i);
                            continue;
                        }
                        if (!identifierChar(before(i))) {
                            int end = dollarQuoteTagEnd(i);
                            if (end > 0) {
                                i = copyDollarQuoted(i, end);
                                continue;
                            }
                        }
                        break;
                    case '?':
                        if (at(i + 1) == '?' && product.doublesLiteralQuestionMarks()) {
                            // pgjdbc's escape for a literal '?': keep it as it is.
                            out.append("??");
                            i += 2;
                            continue;
                        }
                        placeholders.add(new int[] {out.length(), -1 - questionMarks});
                        questionMarks++;
                        out.append('?');
                        i++;
                        continue;
                    case ':':
                        if (at(i + 1) == ':') {
                            out.append("::");
                            i += 2;
                            continue;
                        }
                        if (isNameStart(at(i + 1)) && !identifierChar(before(i)) && before(i) != ']'
                                && before(i) != ':') {
                            i = namedMarker(i);
                            continue;
                        }
                        break;
                    case ';':
                        if (depth == 0 && blockDepth == 0) {
                            splits.add(i);
                            statementFirstWord = null;
                            routine = false;
                        }
                        break;
                    case '(':
                        depth++;
                        break;
                    case ')':
                        depth = Math.max(0, depth - 1);
                        break;
                    default:
                        if (isNameStart(c) && !identifierChar(before(i))) {
                            i = word(i);
                            continue;
                        }
                        break;
                }
                out.append(c);
                i++;
            }
            allSplits.addAll(splits);
            // A trailing ';' (or one followed only by comments) does not make a second statement.
            while (!splits.isEmpty() && isTrailing(splits.get(splits.size() - 1))) {
                splits.remove(splits.size() - 1);
            }
        }

        private boolean isTrailing(int semicolon) {
            String rest = sql.substring(semicolon + 1);
            return rest.isBlank() || isBlank(rest, product);
        }

        private int word(int i) {
            int j = i;
            while (j < sql.length() && identifierChar(sql.charAt(j))) {
                j++;
            }
            String w = sql.substring(i, j);
            String upper = w.toUpperCase(Locale.ROOT);
            if (firstWord == null) {
                firstWord = upper;
            }
            if (statementFirstWord == null) {
                statementFirstWord = upper;
            }
            if (depth == 0 && upper.equals("RETURNING")) {
                returning = true;
            }
            if ("CREATE".equals(statementFirstWord) && ROUTINE_WORDS.contains(upper)) {
                routine = true;
            }
            if (routine) {
                // Bodies of triggers and routines hold their own semicolons between BEGIN and END.
                if (upper.equals("BEGIN") || upper.equals("CASE")) {
                    blockDepth++;
                } else if (upper.equals("IF") || upper.equals("LOOP") || upper.equals("WHILE") || upper.equals("REPEAT")) {
                    if ("END".equals(previousWord)) {
                        blockDepth++; // "END IF" closed an IF, not a BEGIN: undo the END below
                    }
                } else if (upper.equals("END") && blockDepth > 0) {
                    blockDepth--;
                }
            }
            previousWord = upper;
            out.append(w);
            return j;
        }

        private int dollarMarker(int i) {
            int j = i + 1;
            while (j < sql.length() && isDigit(sql.charAt(j))) {
                j++;
            }
            int n = Integer.parseInt(sql.substring(i + 1, j));
            if (n < 1) {
                throw new IllegalArgumentException("Bind marker $" + n + " in SQL: markers start at $1");
            }
            dollar = true;
            maxDollar = Math.max(maxDollar, n);
            names.putIfAbsent("$" + n, n - 1);
            placeholders.add(new int[] {out.length(), n - 1});
            out.append('?');
            return j;
        }

        private int namedMarker(int i) {
            int j = i + 1;
            while (j < sql.length() && identifierChar(sql.charAt(j))) {
                j++;
            }
            String name = sql.substring(i + 1, j);
            named = true;
            Integer index = names.get(name);
            if (index == null) {
                index = names.size();
                names.put(name, index);
            }
            placeholders.add(new int[] {out.length(), index});
            out.append('?');
            return j;
        }

        private int copyQuoted(int i, char quote, boolean backslash) {
            int n = sql.length();
            out.append(sql.charAt(i));
            int j = i + 1;
            while (j < n) {
                char c = sql.charAt(j);
                out.append(c);
                j++;
                if (backslash && c == '\\' && j < n) {
                    out.append(sql.charAt(j));
                    j++;
                } else if (c == quote) {
                    if (j < n && sql.charAt(j) == quote) {
                        out.append(quote);
                        j++;
                    } else {
                        return j;
                    }
                }
            }
            return j;
        }

        private boolean isEscapeString(int quoteAt) {
            // PostgreSQL E'…' strings take backslash escapes; plain ones do not.
            char p = before(quoteAt);
            return product.dollarQuotes() && (p == 'E' || p == 'e') && !identifierChar(before(quoteAt - 1));
        }

        private int copyLineComment(int i) {
            int j = sql.indexOf('\n', i);
            j = j < 0 ? sql.length() : j;
            out.append(sql, i, j);
            return j;
        }

        private int copyBlockComment(int i) {
            int n = sql.length();
            int level = 0;
            int j = i;
            while (j < n) {
                if (sql.charAt(j) == '/' && at(j + 1) == '*') {
                    level = product.nestedComments() || level == 0 ? level + 1 : level;
                    j += 2;
                } else if (sql.charAt(j) == '*' && at(j + 1) == '/') {
                    level--;
                    j += 2;
                    if (level == 0) {
                        break;
                    }
                } else {
                    j++;
                }
            }
            int end = Math.min(j, n);
            out.append(sql, i, end);
            return end;
        }

        /** The index just past an opening {@code $tag$} at i, or −1 (H2 knows only {@code $$}). */
        private int dollarQuoteTagEnd(int i) {
            if (!product.dollarQuotes() && product != Product.H2) {
                return -1;
            }
            int j = i + 1;
            while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
                if (j == i + 1 && isDigit(sql.charAt(j))) {
                    return -1;
                }
                j++;
            }
            if (j >= sql.length() || sql.charAt(j) != '$') {
                return -1;
            }
            if (product == Product.H2 && j != i + 1) {
                return -1;
            }
            return j + 1;
        }

        private int copyDollarQuoted(int i, int tagEnd) {
            String tag = sql.substring(i, tagEnd);
            int close = sql.indexOf(tag, tagEnd);
            int end = close < 0 ? sql.length() : close + tag.length();
            out.append(sql, i, end);
            return end;
        }

        private char at(int i) {
            return i >= 0 && i < sql.length() ? sql.charAt(i) : '\0';
        }

        private char before(int i) {
            return at(i - 1);
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private static boolean isNameStart(char c) {
            return Character.isLetter(c) || c == '_';
        }

        private static boolean identifierChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '$';
        }

        ParsedSql result(List<ParsedSql> pieces) {
            if (dollar && named) {
                throw new IllegalArgumentException("SQL mixes $n and :name bind markers: " + sql);
            }
            boolean markers = dollar || named;
            StringBuilder jdbc = out;
            if (markers && questionMarks > 0) {
                if (!product.doublesLiteralQuestionMarks()) {
                    throw new IllegalArgumentException("SQL mixes ? with " + (dollar ? "$n" : ":name")
                            + " bind markers: " + sql);
                }
                // A bare '?' next to $n markers is an operator (jsonb): pgjdbc wants it as '??'.
                jdbc = new StringBuilder(out);
                for (int k = placeholders.size() - 1; k >= 0; k--) {
                    if (placeholders.get(k)[1] < 0) {
                        jdbc.insert(placeholders.get(k)[0], '?');
                    }
                }
            }
            List<Integer> mapping = new ArrayList<>(placeholders.size());
            for (int[] p : placeholders) {
                if (markers && p[1] < 0) {
                    continue;
                }
                mapping.add(p[1] < 0 ? questionOffset + (-1 - p[1]) : p[1]);
            }
            Style style;
            int count;
            if (dollar) {
                style = Style.DOLLAR;
                count = maxDollar;
            } else if (named) {
                style = Style.NAMED;
                count = names.size();
            } else if (questionMarks > 0) {
                style = Style.QUESTION;
                count = questionOffset + questionMarks;
            } else {
                style = Style.NONE;
                count = 0;
            }
            int[] map = new int[mapping.size()];
            for (int k = 0; k < map.length; k++) {
                map[k] = mapping.get(k);
            }
            boolean rows = returning || (firstWord != null && ROW_WORDS.contains(firstWord));
            boolean compound = !splits.isEmpty();
            return new ParsedSql(sql, jdbc.toString(), style, count, map,
                    names.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(names)), compound, rows,
                    pieces);
        }
    }

    @Override
    public String toString() {
        return jdbcSql;
    }
}
