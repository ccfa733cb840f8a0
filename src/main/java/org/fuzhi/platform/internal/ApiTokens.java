package org.fuzhi.platform.internal;

import java.time.Instant;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/** Issues a bearer token for a successfully authenticated request. */
@Component
public class ApiTokens {

    private final TokenService tokens;

    ApiTokens(TokenService tokens) {
        this.tokens = tokens;
    }

    public record Issued(String token, Instant expiresAt) {
    }

    /** Signs a token out: it stops working at once. */
    public void revoke(String token) {
        tokens.revoke(token);
    }

    public Issued issueFor(Authentication authenticated) {
        var principal = (FuzhiPrincipal) authenticated.getPrincipal();
        var t = tokens.issue(principal.currentUser().id(), principal.credentialsVersion());
        return new Issued(t.token(), t.expiresAt());
    }
}
