package io.retort.tck;

import io.retort.tck.suite.CoreSuite;

/**
 * The whole compliance suite: a backend runs it with one small class,
 * {@code @RequiresDatabase(Backend.X) class XTckIT implements Tck { public Driver driver() {...} }}.
 */
public interface Tck extends CoreSuite {
}
