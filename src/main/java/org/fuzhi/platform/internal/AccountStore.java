package org.fuzhi.platform.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.fuzhi.common.RegionCode;
import org.fuzhi.platform.Accounts;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Places;
import org.fuzhi.platform.Privacy;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class AccountStore implements Accounts {

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{2,63}");

    private final JdbcClient jdbc;
    private final PasswordEncoder encoder;
    private final AuditLog audit;
    private final PasswordPolicy policy;
    private final ObjectProvider<Places> places;

    AccountStore(JdbcClient jdbc, PasswordEncoder encoder, AuditLog audit, PasswordPolicy policy,
                 ObjectProvider<Places> places) {
        this.jdbc = jdbc;
        this.encoder = encoder;
        this.audit = audit;
        this.policy = policy;
        this.places = places;
    }

    record Account(long id, String username, String passwordHash, String displayName, Role role, Scope scope,
                   boolean demo, boolean enabled, boolean mustChangePassword, int credentialsVersion,
                   Instant createdAt) {
        CurrentUser toCurrentUser() {
            return new CurrentUser(id, username, displayName, role, scope);
        }
    }

    private static Account account(ResultSet rs) throws SQLException {
        return new Account(rs.getLong("id"), rs.getString("username"), rs.getString("password_hash"),
                rs.getString("display_name"), Role.valueOf(rs.getString("role")),
                new Scope(Scope.Type.valueOf(rs.getString("scope_type")), rs.getString("scope_code")),
                rs.getBoolean("demo"), rs.getBoolean("enabled"), rs.getBoolean("must_change_password"),
                rs.getInt("credentials_version"), rs.getTimestamp("created_at").toInstant());
    }

    Optional<Account> find(String username) {
        return jdbc.sql("SELECT * FROM app_user WHERE username = :u").param("u", username)
                .query((rs, n) -> account(rs)).optional();
    }

    Optional<Account> findById(long id) {
        return jdbc.sql("SELECT * FROM app_user WHERE id = :id").param("id", id).query((rs, n) -> account(rs))
                .optional();
    }

    @Override
    @Transactional
    public void create(NewAccount a) {
        insert(a, encoder.encode(a.rawPassword()), false, "system");
    }

    @Override
    @Transactional
    public void createAll(List<NewAccount> list) {
        Map<String, String> hashes = new HashMap<>();
        for (NewAccount a : list) {
            insert(a, hashes.computeIfAbsent(a.rawPassword(), encoder::encode), false, "system");
        }
    }

    private void insert(NewAccount a, String hash, boolean mustChange, String by) {
        jdbc.sql("""
                INSERT INTO app_user (username, password_hash, display_name, role, scope_type, scope_code, demo, enabled,
                                      must_change_password)
                VALUES (:u, :p, :d, :r, :st, :sc, :demo, TRUE, :must)""")
                .param("u", a.username()).param("p", hash).param("d", a.displayName())
                .param("r", a.role().name()).param("st", a.scope().type().name()).param("sc", a.scope().code())
                .param("demo", a.demo()).param("must", mustChange).update();
        audit.recordFor(by, by.equals("system") ? null : Role.ADMIN.name(), a.scope(), "ACCOUNT_CREATE", "account",
                a.username(), Map.of("role", a.role().name(), "scope", a.scope().toString()));
    }

    @Override
    public boolean exists(String username) {
        return find(username).isPresent();
    }

    @Override
    public Map<String, String> displayNames(Collection<String> usernames) {
        Map<String, String> out = new HashMap<>();
        List<String> keys = usernames.stream().filter(Objects::nonNull).distinct().toList();
        if (!keys.isEmpty()) {
            jdbc.sql("SELECT username, display_name FROM app_user WHERE username IN (:u)").param("u", keys)
                    .query(rs -> {
                        out.put(rs.getString(1), rs.getString(2));
                    });
        }
        return out;
    }

    @Override
    public long count() {
        return jdbc.sql("SELECT COUNT(*) FROM app_user").query(Long.class).single();
    }

    // ------------------------------------------------------------------ administration

    private static void requireAdmin(CurrentUser user) {
        user.require(user.role() == Role.ADMIN);
    }

    @Override
    @Transactional(readOnly = true)
    public List<AccountView> list(CurrentUser admin, String query, String sort) {
        requireAdmin(admin);
        String q = query == null ? "" : query.strip();
        return jdbc.sql("""
                SELECT * FROM app_user WHERE (:q = '' OR username LIKE :p ESCAPE '\\' OR display_name LIKE :p ESCAPE '\\'
                    OR scope_code = :q)
                ORDER BY""" + " " + accountOrder(sort) + " LIMIT 100").param("q", q)
                .param("p", "%" + Privacy.literalLike(q) + "%")
                .query((rs, n) -> account(rs)).list().stream()
                .map(a -> new AccountView(a.username(), a.displayName(), a.role(), a.scope(), a.enabled(), a.demo(),
                        a.mustChangePassword(), a.createdAt())).toList();
    }

    /** Only these columns sort (never a user's text in SQL); the user name breaks ties. */
    private static String accountOrder(String sort) {
        boolean desc = sort != null && sort.startsWith("-");
        String dir = desc ? " DESC" : "";
        String key = sort == null ? "" : desc ? sort.substring(1) : sort;
        String column = switch (key) {
            case "name" -> "display_name";
            // roles in the order of the enum (center first), not alphabetical
            case "role" -> "CASE role WHEN 'ADMIN' THEN 0 WHEN 'CENTER' THEN 1 WHEN 'LEADER' THEN 2 WHEN 'TOWNSHIP' "
                    + "THEN 3 WHEN 'VILLAGE' THEN 4 WHEN 'SCHOOL_OPERATOR' THEN 5 WHEN 'SCHOOL_REVIEWER' THEN 6 "
                    + "WHEN 'EVALUATOR' THEN 7 ELSE 8 END";
            case "scope" -> "scope_code";
            case "status" -> "CASE WHEN enabled THEN 0 ELSE 1 END";
            case "username" -> "username";
            default -> null;
        };
        return column == null ? "username" : column + dir + (column.equals("username") ? "" : ", username");
    }

    @Override
    @Transactional
    public Issued open(CurrentUser admin, String username, String displayName, Role role, Scope scope) {
        requireAdmin(admin);
        String name = username == null ? "" : username.strip();
        if (!USERNAME.matcher(name).matches()) {
            throw new RuleViolationException("account.rule.username");
        }
        String display = displayName == null ? "" : displayName.strip();
        if (display.isEmpty() || display.length() > 100) {
            throw new RuleViolationException("account.rule.displayName");
        }
        checkScope(role, scope);
        if (find(name).isPresent()) {
            throw new RuleViolationException("account.rule.exists", name);
        }
        String temporary = policy.temporary();
        insert(new NewAccount(name, temporary, display, role, scope, false), encoder.encode(temporary), true,
                admin.username());
        return new Issued(name, display, temporary);
    }

    @Override
    @Transactional
    public List<Issued> openVillageAccounts(CurrentUser admin, String regionCode) {
        requireAdmin(admin);
        if (!RegionCode.isValid(regionCode) || !known().regionExists(regionCode)) {
            throw new RuleViolationException("account.rule.region");
        }
        List<Issued> out = new ArrayList<>();
        for (Places.Village v : known().villagesBelow(regionCode)) {
            String username = "cun-" + v.code();
            if (find(username).isPresent()) {
                continue;
            }
            String display = (v.townshipName() == null ? "" : v.townshipName()) + v.name();
            String temporary = policy.temporary();
            // bcrypt of 300 temporary passwords takes ~25 s: a cost of 10 is the encoder's default and stays.
            insert(new NewAccount(username, temporary, display, Role.VILLAGE, Scope.region(v.code()), false),
                    encoder.encode(temporary), true, admin.username());
            out.add(new Issued(username, display, temporary));
        }
        return out;
    }

    @Override
    @Transactional
    public void setEnabled(CurrentUser admin, String username, boolean enabled) {
        requireAdmin(admin);
        Account a = existing(username);
        if (a.id() == admin.id() && !enabled) {
            throw new RuleViolationException("account.rule.notSelf");
        }
        jdbc.sql("UPDATE app_user SET enabled = :e, credentials_version = credentials_version + 1 WHERE id = :id")
                .param("e", enabled).param("id", a.id()).update();
        revokeTokens(a.id());
        audit.recordFor(admin.username(), Role.ADMIN.name(), a.scope(), enabled ? "ACCOUNT_ENABLE" : "ACCOUNT_DISABLE",
                "account", a.username(), Map.of());
    }

    @Override
    @Transactional
    public Issued resetPassword(CurrentUser admin, String username) {
        requireAdmin(admin);
        Account a = existing(username);
        String temporary = policy.temporary();
        jdbc.sql("""
                UPDATE app_user SET password_hash = :h, must_change_password = TRUE,
                       credentials_version = credentials_version + 1 WHERE id = :id""")
                .param("h", encoder.encode(temporary)).param("id", a.id()).update();
        revokeTokens(a.id());
        // A reset is how a locked-out user gets back in: their failed sign-ins start afresh.
        jdbc.sql("DELETE FROM login_failure WHERE throttle_key = :k OR throttle_key LIKE :p ESCAPE '\\'")
                .param("k", "u:" + a.username())
                .param("p", "u:" + Privacy.literalLike(a.username()) + "|%").update();
        audit.recordFor(admin.username(), Role.ADMIN.name(), a.scope(), "ACCOUNT_RESET", "account", a.username(),
                Map.of());
        return new Issued(a.username(), a.displayName(), temporary);
    }

    @Override
    @Transactional
    public void rescope(CurrentUser admin, String username, Role role, Scope scope) {
        requireAdmin(admin);
        Account a = existing(username);
        checkScope(role, scope);
        jdbc.sql("""
                UPDATE app_user SET role = :r, scope_type = :st, scope_code = :sc,
                       credentials_version = credentials_version + 1 WHERE id = :id""")
                .param("r", role.name()).param("st", scope.type().name()).param("sc", scope.code())
                .param("id", a.id()).update();
        revokeTokens(a.id());
        audit.recordFor(admin.username(), Role.ADMIN.name(), scope, "ACCOUNT_RESCOPE", "account", a.username(),
                Map.of("from", a.role() + " " + a.scope(), "to", role + " " + scope));
    }

    @Override
    public boolean mustChangePassword(CurrentUser user) {
        return findById(user.id()).map(Account::mustChangePassword).orElse(false);
    }

    @Override
    @Transactional
    public void changePassword(CurrentUser user, String currentPassword, String newPassword) {
        Account a = findById(user.id()).orElseThrow(() -> new NotFoundException("account"));
        if (currentPassword == null || !encoder.matches(currentPassword, a.passwordHash())) {
            throw new RuleViolationException("password.rule.current");
        }
        policy.check(a.username(), newPassword);
        if (encoder.matches(newPassword, a.passwordHash())) {
            throw new RuleViolationException("password.rule.same");
        }
        jdbc.sql("""
                UPDATE app_user SET password_hash = :h, must_change_password = FALSE, password_changed_at = :now,
                       credentials_version = credentials_version + 1 WHERE id = :id""")
                .param("h", encoder.encode(newPassword)).param("now", Timestamp.from(Instant.now()))
                .param("id", a.id()).update();
        revokeTokens(a.id());
        audit.recordFor(a.username(), a.role().name(), a.scope(), "PASSWORD_CHANGE", "account", a.username(), Map.of());
    }

    void revokeTokens(long userId) {
        jdbc.sql("DELETE FROM api_token WHERE user_id = :u").param("u", userId).update();
    }

    private Account existing(String username) {
        return find(username == null ? "" : username.strip())
                .orElseThrow(() -> new NotFoundException("account"));
    }

    private Places known() {
        return places.getObject();
    }

    /** Each role has the kind of scope its work needs, and the scope must be a real place. */
    private void checkScope(Role role, Scope scope) {
        if (role == null || scope == null) {
            throw new RuleViolationException("account.rule.scope");
        }
        boolean ok = switch (role) {
            case ADMIN -> scope.type() == Scope.Type.NONE;
            case SCHOOL_OPERATOR, SCHOOL_REVIEWER -> scope.type() == Scope.Type.SCHOOL
                    && known().schoolExists(scope.code());
            case VILLAGE -> isRegion(scope, RegionCode.Level.VILLAGE) && known().regionExists(scope.code());
            case TOWNSHIP -> isRegion(scope, RegionCode.Level.TOWNSHIP) && known().regionExists(scope.code());
            // A new county's center is created before its divisions exist: it imports them itself.
            case CENTER -> scope.type() == Scope.Type.REGION && RegionCode.isValid(scope.code())
                    && new RegionCode(scope.code()).level().ordinal() <= RegionCode.Level.COUNTY.ordinal();
            case LEADER, EVALUATOR, DONOR -> scope.type() == Scope.Type.REGION && RegionCode.isValid(scope.code())
                    && known().regionExists(scope.code());
        };
        if (!ok) {
            throw new RuleViolationException("account.rule.scopeForRole");
        }
    }

    private static boolean isRegion(Scope scope, RegionCode.Level level) {
        return scope.type() == Scope.Type.REGION && RegionCode.isValid(scope.code())
                && new RegionCode(scope.code()).level() == level;
    }
}
