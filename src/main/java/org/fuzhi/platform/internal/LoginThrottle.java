package org.fuzhi.platform.internal;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.IntFunction;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Throttles password guessing without letting a stranger lock the aid center out. Kept in the database, not in
 * memory, so that several application instances share one count.
 * <ul>
 *   <li>An account guessed at from one address: locked for that address only after a few failures.</li>
 *   <li>An address that guesses at many accounts: locked after more failures.</li>
 *   <li>An account guessed at from everywhere: each further try waits a little longer (doubling from one second,
 *       at most a minute) — distributed guessing slows down. An address this account has signed in from before
 *       is not delayed, so the aid center's own office signs in whatever strangers do.</li>
 * </ul>
 */
@Component
class LoginThrottle {

    /** Failures of one account from all addresses before the delay starts. */
    static final int DELAY_AFTER = 10;
    static final Duration MAX_DELAY = Duration.ofSeconds(60);

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

    private static String pair(String username, String address) {
        String key = "u:" + username + "|" + address;
        return key.length() > 200 ? key.substring(0, 200) : key;
    }

    private static String known(String username, String address) {
        String key = "s:" + username + "|" + address;
        return key.length() > 200 ? key.substring(0, 200) : key;
    }

    private static String account(String username) {
        String key = "u:" + username;
        return key.length() > 200 ? key.substring(0, 200) : key;
    }

    /** Minutes until the account may try again from this address, or 0 when it may now. */
    @Transactional(readOnly = true)
    public long minutesLocked(String username, String address) {
        Instant now = Instant.now();
        long worst = 0;
        boolean knownAddress = jdbc.sql("SELECT COUNT(*) FROM login_failure WHERE throttle_key = :k")
                .param("k", known(username, address)).query(Long.class).single() > 0;
        for (String key : knownAddress ? new String[]{pair(username, address), "a:" + address}
                : new String[]{pair(username, address), account(username), "a:" + address}) {
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
        bump(pair(username, address), failures -> failures >= maxPerAccount ? window : null);
        bump("a:" + address, failures -> failures >= maxPerAddress ? window : null);
        bump(account(username), failures -> failures < DELAY_AFTER ? null
                : Duration.ofSeconds(1L << Math.min(6, failures - DELAY_AFTER)).compareTo(MAX_DELAY) > 0 ? MAX_DELAY
                : Duration.ofSeconds(1L << Math.min(6, failures - DELAY_AFTER)));
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void succeeded(String username, String address) {
        jdbc.sql("DELETE FROM login_failure WHERE throttle_key IN (:k)")
                .param("k", List.of(pair(username, address), account(username))).update();
        // Remember the address this account signed in from (a row without failures): it is exempt from the delay.
        Timestamp now = Timestamp.from(Instant.now());
        int updated = jdbc.sql("UPDATE login_failure SET window_start = :now WHERE throttle_key = :k")
                .param("now", now).param("k", known(username, address)).update();
        if (updated == 0) {
            try {
                jdbc.sql("INSERT INTO login_failure (throttle_key, failures, window_start) VALUES (:k, 0, :now)")
                        .param("k", known(username, address)).param("now", now).update();
            } catch (DuplicateKeyException raced) {
                // another instance remembered it at the same moment
            }
        }
    }

    private void bump(String key, IntFunction<Duration> lockFor) {
        Instant now = Instant.now();
        var row = jdbc.sql("SELECT failures, window_start FROM login_failure WHERE throttle_key = :k FOR UPDATE")
                .param("k", key).query((rs, n) -> new Object[]{rs.getInt(1), rs.getTimestamp(2).toInstant()})
                .optional().orElse(null);
        int failures = 0;
        Instant start = now;
        if (row != null && !((Instant) row[1]).plus(window).isBefore(now)) {
            failures = (Integer) row[0];
            start = (Instant) row[1];
        }
        failures++;
        Duration lock = lockFor.apply(failures);
        Timestamp lockedUntil = lock == null ? null : Timestamp.from(now.plus(lock));
        if (row == null) {
            jdbc.sql("""
                    INSERT INTO login_failure (throttle_key, failures, window_start, locked_until)
                    VALUES (:k, :f, :s, :l)""").param("k", key).param("f", failures).param("s", Timestamp.from(start))
                    .param("l", lockedUntil).update();
        } else {
            jdbc.sql("UPDATE login_failure SET failures = :f, window_start = :s, locked_until = :l WHERE throttle_key = :k")
                    .param("f", failures).param("s", Timestamp.from(start)).param("l", lockedUntil).param("k", key)
                    .update();
        }
    }
}
