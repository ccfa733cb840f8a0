package org.fuzhi.platform.internal;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Throttles password guessing per account and per client address. Kept in the database, not in
 * memory, so that several application instances share one count.
 */
@Component
class LoginThrottle {

    private final JdbcClient jdbc;
    private final int maxPerAccount;
    private final int maxPerAddress;
    private final Duration window;

    LoginThrottle(JdbcClient jdbc,
                  @Value("${fuzhi.login.max-failures-per-account:5}") int maxPerAccount,
                  @Value("${fuzhi.login.max-failures-per-address:20}") int maxPerAddress,
                  @Value("${fuzhi.login.lock-minutes:15}") int lockMinutes) {
        this.jdbc = jdbc;
        this.maxPerAccount = maxPerAccount;
        this.maxPerAddress = maxPerAddress;
        this.window = Duration.ofMinutes(lockMinutes);
    }

    /** Minutes until the account or address may try again, or 0 when it may now. */
    @Transactional(readOnly = true)
    public long minutesLocked(String username, String address) {
        Instant now = Instant.now();
        long worst = 0;
        for (String key : new String[]{"u:" + username, "a:" + address}) {
            var until = jdbc.sql("SELECT locked_until FROM login_failure WHERE throttle_key = :k").param("k", key)
                    .query(Timestamp.class).optional().orElse(null);
            if (until != null && until.toInstant().isAfter(now)) {
                worst = Math.max(worst, Math.max(1, Duration.between(now, until.toInstant()).toMinutes() + 1));
            }
        }
        return worst;
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void failed(String username, String address) {
        bump("u:" + username, maxPerAccount);
        bump("a:" + address, maxPerAddress);
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void succeeded(String username) {
        jdbc.sql("DELETE FROM login_failure WHERE throttle_key = :k").param("k", "u:" + username).update();
    }

    private void bump(String key, int max) {
        Instant now = Instant.now();
        var row = jdbc.sql("SELECT failures, window_start FROM login_failure WHERE throttle_key = :k FOR UPDATE")
                .param("k", key).query((rs, n) -> new Object[]{rs.getInt(1), rs.getTimestamp(2).toInstant()})
                .optional().orElse(null);
        if (row == null) {
            jdbc.sql("INSERT INTO login_failure (throttle_key, failures, window_start) VALUES (:k, 1, :now)")
                    .param("k", key).param("now", Timestamp.from(now)).update();
            return;
        }
        int failures = (Integer) row[0];
        Instant start = (Instant) row[1];
        if (start.plus(window).isBefore(now)) {
            failures = 0;
            start = now;
        }
        failures++;
        Timestamp lockedUntil = failures >= max ? Timestamp.from(now.plus(window)) : null;
        jdbc.sql("UPDATE login_failure SET failures = :f, window_start = :s, locked_until = :l WHERE throttle_key = :k")
                .param("f", failures).param("s", Timestamp.from(start)).param("l", lockedUntil).param("k", key).update();
    }
}
