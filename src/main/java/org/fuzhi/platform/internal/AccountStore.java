package org.fuzhi.platform.internal;

import java.util.Optional;
import org.fuzhi.platform.Accounts;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.Scope;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class AccountStore implements Accounts {

    private final JdbcClient jdbc;
    private final PasswordEncoder encoder;
    private final AuditLog audit;

    AccountStore(JdbcClient jdbc, PasswordEncoder encoder, AuditLog audit) {
        this.jdbc = jdbc;
        this.encoder = encoder;
        this.audit = audit;
    }

    record Account(long id, String username, String passwordHash, String displayName, Role role, Scope scope,
                   boolean demo, boolean enabled) {
        CurrentUser toCurrentUser() {
            return new CurrentUser(id, username, displayName, role, scope);
        }
    }

    Optional<Account> find(String username) {
        return jdbc.sql("SELECT * FROM app_user WHERE username = :u").param("u", username)
                .query((rs, n) -> new Account(rs.getLong("id"), rs.getString("username"), rs.getString("password_hash"),
                        rs.getString("display_name"), Role.valueOf(rs.getString("role")),
                        new Scope(Scope.Type.valueOf(rs.getString("scope_type")), rs.getString("scope_code")),
                        rs.getBoolean("demo"), rs.getBoolean("enabled")))
                .optional();
    }

    Optional<Account> findById(long id) {
        String name = jdbc.sql("SELECT username FROM app_user WHERE id = :id").param("id", id)
                .query(String.class).optional().orElse(null);
        return name == null ? Optional.empty() : find(name);
    }

    @Override
    @Transactional
    public void create(NewAccount a) {
        insert(a, encoder.encode(a.rawPassword()));
    }

    @Override
    @Transactional
    public void createAll(java.util.List<NewAccount> list) {
        java.util.Map<String, String> hashes = new java.util.HashMap<>();
        for (NewAccount a : list) {
            insert(a, hashes.computeIfAbsent(a.rawPassword(), encoder::encode));
        }
    }

    private void insert(NewAccount a, String hash) {
        jdbc.sql("""
                INSERT INTO app_user (username, password_hash, display_name, role, scope_type, scope_code, demo, enabled)
                VALUES (:u, :p, :d, :r, :st, :sc, :demo, TRUE)""")
                .param("u", a.username()).param("p", hash).param("d", a.displayName())
                .param("r", a.role().name()).param("st", a.scope().type().name()).param("sc", a.scope().code())
                .param("demo", a.demo()).update();
        audit.recordFor("system", null, a.scope(), "ACCOUNT_CREATE", "account", a.username(),
                java.util.Map.of("role", a.role().name(), "scope", a.scope().toString()));
    }

    @Override
    public boolean exists(String username) {
        return find(username).isPresent();
    }

    @Override
    public long count() {
        return jdbc.sql("SELECT COUNT(*) FROM app_user").query(Long.class).single();
    }
}
