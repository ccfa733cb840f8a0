package org.fuzhi.platform.internal;

import org.springframework.security.authentication.LockedException;

/** Too many failed logins; carries how long the caller must wait so the UI and API can say so. */
public final class LoginThrottledException extends LockedException {

    private final long minutes;

    LoginThrottledException(long minutes) {
        super("too many failed logins");
        this.minutes = minutes;
    }

    public long minutes() {
        return minutes;
    }
}
