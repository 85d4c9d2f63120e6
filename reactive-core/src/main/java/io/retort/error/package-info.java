/** The typed error hierarchy Retort raises. */
package io.retort.error;
