package org.fuzhi.platform.internal;

import java.util.Map;
import org.fuzhi.platform.AuditLog;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Component;

/**
 * Password authentication for both the login form and the token endpoint, with throttling and an
 * audit record for every success and failure.
 */
@Component
class ThrottledAuthenticationProvider implements AuthenticationProvider {

    private final DaoAuthenticationProvider delegate;
    private final LoginThrottle throttle;
    private final AuditLog audit;

    /** Stands in the audit log for a user name that names no account. */
    static final String UNKNOWN_ACCOUNT = "(unknown)";

    private final AccountDetailsService users;

    private final ClientAddress clientAddress;

    ThrottledAuthenticationProvider(AccountDetailsService users, PasswordEncoder encoder, LoginThrottle throttle,
                                    AuditLog audit, ClientAddress clientAddress) {
        this.clientAddress = clientAddress;
        this.users = users;
        this.delegate = new DaoAuthenticationProvider(users);
        this.delegate.setPasswordEncoder(encoder);
        this.throttle = throttle;
        this.audit = audit;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String username = String.valueOf(authentication.getName());
        String current = clientAddress.current();
        String address = current != null ? current : authentication.getDetails() instanceof WebAuthenticationDetails d
                ? d.getRemoteAddress() : "unknown";
        // The throttle keeps only names of real accounts, like the audit log: people type passwords there.
        var known = users.scopeOf(username);
        String key = known.isPresent() ? username : UNKNOWN_ACCOUNT;
        long minutes = throttle.minutesLocked(key, address);
        // What was typed into the user-name field is recorded only when it names an account: people type their
        // password there by mistake, and the audit log must not keep it.
        var scope = known;
        String logged = key;
        if (minutes > 0) {
            audit.recordFor(logged, null, scope.orElse(null), "LOGIN_THROTTLED", "account", logged,
                    Map.of("address", address));
            throw new LoginThrottledException(minutes);
        }
        try {
            Authentication result = delegate.authenticate(authentication);
            throttle.succeeded(key, address);
            var user = ((FuzhiPrincipal) result.getPrincipal()).currentUser();
            audit.recordFor(username, user.role().name(), user.scope(), "LOGIN_SUCCESS", "account", username,
                    Map.of("address", address));
            return result;
        } catch (AuthenticationException e) {
            throttle.failed(key, address);
            audit.recordFor(logged, null, scope.orElse(null), "LOGIN_FAILURE", "account", logged,
                    Map.of("address", address, "reason", e.getClass().getSimpleName()));
            if (e instanceof AccountDetailsService.DemoAccountRefusedException) {
                throw e;
            }
            throw new BadCredentialsException("bad credentials");
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
