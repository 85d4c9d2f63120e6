/** The MySQL dialect (MariaDB extends it). */
package io.retort.dialect.mysql;
