package org.fuzhi.platform;

/** 账号 — creating accounts; used by the demo loader and the admin screens. */
public interface Accounts {

    void create(NewAccount account);

    /** Creates many accounts at once; a password shared by several is hashed once (bcrypt is slow on purpose). */
    void createAll(java.util.List<NewAccount> accounts);

    boolean exists(String username);

    long count();

    record NewAccount(String username, String rawPassword, String displayName, Role role, Scope scope, boolean demo) {
    }
}
