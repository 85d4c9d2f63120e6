/** The PostgreSQL dialect. */
package io.retort.dialect.postgresql;
