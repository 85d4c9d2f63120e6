package io.retort.orm;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Maps a field to a JSON column holding its value as a document ({@link io.retort.sql.SqlTypes#json(Class)}):
 * a POJO, a record, or a {@code Map}/{@code List} for a free-form document, written and read
 * through the default {@link io.retort.sql.JsonCodec} (Jackson when jackson-databind is on the
 * class path). The document is tracked by value (O15): changing it in place, say
 * {@code order.attrs.put("gift", true)}, makes the next flush write it.
 *
 * <pre>{@code
 * @Entity class Order {
 *     @Id Integer id;
 *     @Json Map<String, Object> attrs;
 *     @Json Address shipTo;
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Json {
}
