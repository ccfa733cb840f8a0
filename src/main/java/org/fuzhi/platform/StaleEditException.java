package org.fuzhi.platform;

/** Optimistic locking: someone else saved the record after this user opened it. Nothing was written. */
public class StaleEditException extends RuntimeException {
    public StaleEditException(String what) {
        super(what);
    }
}
