package org.fuzhi.platform.internal;

import java.util.Optional;
import org.fuzhi.platform.Scope;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Service;

@Service
class AccountDetailsService implements UserDetailsService {

    private final AccountStore accounts;
    private final Environment env;

    AccountDetailsService(AccountStore accounts, Environment env) {
        this.accounts = accounts;
        this.env = env;
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        var a = accounts.find(username).orElseThrow(() -> new UsernameNotFoundException("unknown"));
        // Demo accounts share one published password: a production system must never accept them.
        if (a.demo() && env.acceptsProfiles(Profiles.of("prod"))) {
            throw new DemoAccountRefusedException();
        }
        return new FuzhiPrincipal(a.toCurrentUser(), a.passwordHash(), a.enabled(), a.credentialsVersion());
    }

    /** The scope of the account with this user name, if there is one (for the audit of its sign-ins). */
    Optional<Scope> scopeOf(String username) {
        if (username == null || username.length() > 64) {
            return Optional.empty();
        }
        return accounts.find(username).map(a -> a.scope());
    }

    static final class DemoAccountRefusedException extends DisabledException {
        DemoAccountRefusedException() {
            super("demo account refused in production");
        }
    }
}
