package io.retort.orm;

import io.retort.error.InvalidRequestError;

/**
 * An object held by one open session was added to another (SQLAlchemy's "Object is already
 * attached to session", bad-input row B14). Two sessions tracking one object would both flush
 * it: a second INSERT of its row, or two unit-of-work snapshots disagreeing about it. Raised by
 * {@code add} (and by a flush whose save cascade reaches such an object) before any SQL is sent;
 * expunge the object from its session (or close that session) first, or {@code merge} a copy.
 */
public class AlreadyAttachedError extends InvalidRequestError {
    public AlreadyAttachedError(String message) {
        super(message);
    }
}
