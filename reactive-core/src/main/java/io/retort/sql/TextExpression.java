package io.retort.sql;

import io.retort.sql.compile.KeyBuilder;

/**
 * A raw SQL fragment used as an expression ({@code Sql.textExpr("now()", TIMESTAMP)}): the text is
 * trusted SQL, part of the cache key. Never build it from user input: bind values instead.
 */
public final class TextExpression<T> extends Expression<T> {
    private final TextClause text;

    TextExpression(TextClause text, SqlType<T> type) {
        super(type);
        this.text = text;
    }

    public TextClause text() {
        return text;
    }

    @Override
    public void accept(SqlVisitor visitor) {
        visitor.visitText(text);
    }

    @Override
    public void appendKey(KeyBuilder key) {
        key.add("text-expr", type());
        text.appendKey(key);
    }
}
