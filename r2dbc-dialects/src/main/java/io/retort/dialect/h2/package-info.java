/** The H2 dialect, the embedded default. */
package io.retort.dialect.h2;
