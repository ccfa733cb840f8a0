package org.fuzhi.platform.internal;

import java.util.Collection;
import java.util.List;
import org.fuzhi.platform.CurrentUser;
import org.springframework.security.core.CredentialsContainer;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;

/** The security principal; carries the account's role and scope for the whole request. */
final class FuzhiPrincipal implements UserDetails, CredentialsContainer, CurrentUser.Principal {

    private final CurrentUser user;
    private String passwordHash;
    private final boolean enabled;
    private final int credentialsVersion;

    /**
     * @param credentialsVersion the account's version when it signed in: a session or token of an older version
     *                           (password changed, reset, disabled, re-scoped) is ended by {@link AccountStateFilter}
     */
    FuzhiPrincipal(CurrentUser user, String passwordHash, boolean enabled, int credentialsVersion) {
        this.user = user;
        this.passwordHash = passwordHash;
        this.enabled = enabled;
        this.credentialsVersion = credentialsVersion;
    }

    int credentialsVersion() {
        return credentialsVersion;
    }

    @Override
    public CurrentUser currentUser() {
        return user;
    }

    @Override
    public Collection<? extends GrantedAuthority> getAuthorities() {
        return List.of(new SimpleGrantedAuthority("ROLE_" + user.role().name()));
    }

    @Override
    public String getPassword() {
        return passwordHash;
    }

    @Override
    public String getUsername() {
        return user.username();
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public void eraseCredentials() {
        passwordHash = null;
    }
}
