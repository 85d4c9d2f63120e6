package io.retort.sql.compile;

import io.retort.error.ArgumentError;
import io.retort.sql.BindParam;
import io.retort.sql.Statement;
import io.retort.sql.SqlType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A statement built once at a call site and executed many times with new values (C3, the Java
 * counterpart of SQLAlchemy's lambda/baked statements). The statement's named parameters
 * ({@link io.retort.sql.Sql#param(String, Object, SqlType)}) are the holes; the cache key and the
 * position of every named value are computed once, so an execution costs one array copy plus
 * the cache lookup — no statement building, no key traversal.
 *
 * <pre>{@code
 * static final StatementTemplate TRACKS_OF_ALBUM = StatementTemplate.of(
 *     select(TRACK.name).where(TRACK.albumId.eq(param("album", 0, SqlTypes.INTEGER))).orderBy(TRACK.name));
 * ...
 * engine.execute(TRACKS_OF_ALBUM.bind("album", 42))
 * }</pre>
 *
 * Values bound here replace the named parameters' build-time values, which act as defaults.
 * IN lists are named parameters too ({@code param("ids", List.of(), ...)} is not supported: use
 * a plain statement for variable IN lists). Immutable and thread-safe.
 */
public final class StatementTemplate {
    private final Statement statement;
    private final CacheKey key;
    private final Object[] defaults;
    private final Map<String, int[]> positions;
    private final Map<String, SqlType<?>> types;

    private StatementTemplate(Statement statement) {
        this.statement = Objects.requireNonNull(statement, "statement");
        KeyBuilder kb = new KeyBuilder(true);
        statement.appendKey(kb);
        this.key = kb.toKey();
        this.defaults = kb.values().toArray();
        Map<String, List<Integer>> pos = new HashMap<>();
        Map<String, SqlType<?>> t = new HashMap<>();
        for (Map.Entry<Object, Integer> e : kb.bindPositions().entrySet()) {
            if (e.getKey() instanceof BindParam && ((BindParam<?>) e.getKey()).name() != null) {
                BindParam<?> b = (BindParam<?>) e.getKey();
                pos.computeIfAbsent(b.name(), n -> new ArrayList<>()).add(e.getValue());
                t.put(b.name(), b.type());
            }
        }
        Map<String, int[]> p = new HashMap<>();
        pos.forEach((name, list) -> p.put(name, list.stream().mapToInt(Integer::intValue).toArray()));
        this.positions = Map.copyOf(p);
        this.types = Map.copyOf(t);
    }

    /** A template of {@code statement}, whose named parameters can be rebound per execution. */
    public static StatementTemplate of(Statement statement) {
        return new StatementTemplate(statement);
    }

    /** The parameter names that can be bound. */
    public java.util.Set<String> parameterNames() {
        return positions.keySet();
    }

    /** An execution with the build-time values. */
    public Bound bind() {
        return new Bound(this, defaults.clone());
    }

    /** An execution with {@code name} set to {@code value} and the other parameters at their defaults. */
    public Bound bind(String name, Object value) {
        return bind().set(name, value);
    }

    /** An execution with several named values. */
    public Bound bind(Map<String, ?> values) {
        Bound b = bind();
        values.forEach(b::put);
        return b;
    }

    Statement statement() {
        return statement;
    }

    CacheKey key() {
        return key;
    }

    /** One execution of a template: its values, ready for {@link StatementCache#lookup(Dialect, Bound)}. */
    public static final class Bound {
        private final StatementTemplate template;
        private final Object[] values;

        private Bound(StatementTemplate template, Object[] values) {
            this.template = template;
            this.values = values;
        }

        /** A copy with {@code name} set to {@code value}. */
        public Bound set(String name, Object value) {
            Bound b = new Bound(template, values.clone());
            b.put(name, value);
            return b;
        }

        private void put(String name, Object value) {
            int[] at = template.positions.get(name);
            if (at == null) {
                throw new ArgumentError("The template has no parameter named '" + name + "'; its parameters are "
                        + template.positions.keySet());
            }
            Object checked = template.types.get(name).checkBindValue(value);
            for (int i : at) {
                values[i] = checked;
            }
        }

        public StatementTemplate template() {
            return template;
        }

        /** The values in key-traversal order (a copy). */
        public List<Object> values() {
            return Arrays.asList(values.clone());
        }

        List<Object> valuesView() {
            return Arrays.asList(values);
        }
    }
}
