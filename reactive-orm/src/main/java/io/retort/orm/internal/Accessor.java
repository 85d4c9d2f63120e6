package io.retort.orm.internal;

import io.retort.error.ArgumentError;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;

/**
 * Reads and writes one entity field through MethodHandles built once at mapping time (no
 * reflection per access, no proxies, no bytecode enhancement).
 */
public final class Accessor {
    private final String name;
    private final Class<?> type;
    private final MethodHandle getter;
    private final MethodHandle setter;

    private Accessor(String name, Class<?> type, MethodHandle getter, MethodHandle setter) {
        this.name = name;
        this.type = type;
        this.getter = getter;
        this.setter = setter;
    }

    public static Accessor of(Field f) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(f.getDeclaringClass(), MethodHandles.lookup());
            MethodHandle g = lookup.unreflectGetter(f).asType(java.lang.invoke.MethodType.methodType(Object.class, Object.class));
            MethodHandle s = lookup.unreflectSetter(f).asType(java.lang.invoke.MethodType.methodType(void.class, Object.class, Object.class));
            return new Accessor(f.getName(), f.getType(), g, s);
        } catch (IllegalAccessException e) {
            throw new ArgumentError("Cannot access field " + f + ": " + e.getMessage()
                    + " (open the package to io.retort.orm if you use modules)");
        }
    }

    public String name() {
        return name;
    }

    public Class<?> type() {
        return type;
    }

    public Object get(Object target) {
        try {
            return getter.invokeExact(target);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public void set(Object target, Object value) {
        try {
            setter.invokeExact(target, value);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
