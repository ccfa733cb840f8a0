package org.fuzhi.platform.internal;

import org.fuzhi.platform.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * First run of a production database: with no ADMIN account yet, {@code FUZHI_ADMIN_USERNAME} and
 * {@code FUZHI_ADMIN_PASSWORD} (or {@code fuzhi.admin.username/password}) create one, which must change that
 * password at its first sign-in — so the value in the environment is good for one sign-in only. Ignored once an
 * ADMIN exists; the password is never logged.
 */
@Component
class AdminBootstrap implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

    private final JdbcClient jdbc;
    private final PasswordEncoder encoder;
    private final TransactionTemplate tx;
    private final String username;
    private final String password;

    AdminBootstrap(JdbcClient jdbc, PasswordEncoder encoder, PlatformTransactionManager transactions,
                   @Value("${fuzhi.admin.username:${FUZHI_ADMIN_USERNAME:}}") String username,
                   @Value("${fuzhi.admin.password:${FUZHI_ADMIN_PASSWORD:}}") String password) {
        this.jdbc = jdbc;
        this.encoder = encoder;
        this.tx = new TransactionTemplate(transactions);
        this.username = username == null ? "" : username.strip();
        this.password = password == null ? "" : password;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (username.isEmpty()) {
            return;
        }
        if (password.length() < PasswordPolicy.MIN_LENGTH) {
            throw new IllegalStateException("FUZHI_ADMIN_PASSWORD must have at least " + PasswordPolicy.MIN_LENGTH
                    + " characters (it must be changed at the first sign-in)");
        }
        tx.executeWithoutResult(st -> {
            long admins = jdbc.sql("SELECT COUNT(*) FROM app_user WHERE role = 'ADMIN' AND demo = FALSE")
                    .query(Long.class).single();
            if (admins > 0 || jdbc.sql("SELECT COUNT(*) FROM app_user WHERE username = :u").param("u", username)
                    .query(Long.class).single() > 0) {
                log.info("FUZHI_ADMIN_USERNAME is set but an ADMIN account (or the name '{}') exists already: "
                        + "nothing created; remove the variables", username);
                return;
            }
            jdbc.sql("""
                    INSERT INTO app_user (username, password_hash, display_name, role, scope_type, scope_code, demo,
                                          enabled, must_change_password)
                    VALUES (:u, :p, :d, :r, 'NONE', NULL, FALSE, TRUE, TRUE)""")
                    .param("u", username).param("p", encoder.encode(password)).param("d", username)
                    .param("r", Role.ADMIN.name()).update();
            log.info("First ADMIN account '{}' created from the environment; it must change its password at the first "
                    + "sign-in", username);
        });
    }
}
