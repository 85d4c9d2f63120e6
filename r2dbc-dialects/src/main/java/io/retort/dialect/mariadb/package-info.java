/** The MariaDB dialect. */
package io.retort.dialect.mariadb;
