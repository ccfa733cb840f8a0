package org.fuzhi.platform;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * 账号 — creating and administering accounts. The demo loader creates its accounts directly; the ADMIN administers
 * real ones (create, disable, re-scope, reset, a county's village accounts at once); every user changes their own
 * password. Every change that affects what an account may do ends its sessions and tokens.
 */
public interface Accounts {

    void create(NewAccount account);

    /** Creates many accounts at once; a password shared by several is hashed once (bcrypt is slow on purpose). */
    void createAll(List<NewAccount> accounts);

    boolean exists(String username);

    long count();

    /**
     * The names of these accounts' people, for pages that say who took a step (a batch's clerk, checker and
     * approver): names, not account codes. An unknown account is left out.
     */
    Map<String, String> displayNames(Collection<String> usernames);

    // ------------------------------------------------------------------ administration (ADMIN)

    /** The first 100 accounts matching the query (user name, name or exact scope code), by user name. */
    default List<AccountView> list(CurrentUser admin, String query) {
        return list(admin, query, null);
    }

    /**
     * @param sort "username", "name", "role", "scope" (by area code: a county, then its townships and villages) or
     *             "status", "-" first for descending; the first 100 in that order
     */
    List<AccountView> list(CurrentUser admin, String query, String sort);

    /** Creates an account with a temporary password that must be changed at the first sign-in. */
    Issued open(CurrentUser admin, String username, String displayName, Role role, Scope scope);

    /** One VILLAGE account per village below {@code regionCode} that has none yet ({@code cun-<village code>}). */
    List<Issued> openVillageAccounts(CurrentUser admin, String regionCode);

    void setEnabled(CurrentUser admin, String username, boolean enabled);

    /** A new temporary password; the user must change it at the next sign-in. */
    Issued resetPassword(CurrentUser admin, String username);

    void rescope(CurrentUser admin, String username, Role role, Scope scope);

    // ------------------------------------------------------------------ own account

    /** Whether the account still signs in with a temporary or initial password it must change first. */
    boolean mustChangePassword(CurrentUser user);

    /** Checks the current password and the policy, then ends every other session and token of the account. */
    void changePassword(CurrentUser user, String currentPassword, String newPassword);

    record NewAccount(String username, String rawPassword, String displayName, Role role, Scope scope, boolean demo) {
    }

    record AccountView(String username, String displayName, Role role, Scope scope, boolean enabled, boolean demo,
                       boolean mustChangePassword, Instant createdAt) {
    }

    /** @param temporaryPassword shown once to the ADMIN, who hands it over; never stored in clear */
    record Issued(String username, String displayName, String temporaryPassword) {
    }
}
