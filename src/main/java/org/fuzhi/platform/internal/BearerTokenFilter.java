package org.fuzhi.platform.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/** Authenticates {@code Authorization: Bearer …} requests on the API chain. */
class BearerTokenFilter extends OncePerRequestFilter {

    private final TokenService tokens;
    private final AccountStore accounts;

    BearerTokenFilter(TokenService tokens, AccountStore accounts) {
        this.tokens = tokens;
        this.accounts = accounts;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = header.substring(7).trim();
            tokens.userFor(token).ifPresent(owner -> accounts.findById(owner.userId())
                    .filter(AccountStore.Account::enabled).ifPresent(a -> {
                // The token's own version: AccountStateFilter ends it when the account's has moved on since.
                var principal = new FuzhiPrincipal(a.toCurrentUser(), null, true, owner.credentialsVersion());
                var auth = new UsernamePasswordAuthenticationToken(principal, null, principal.getAuthorities());
                SecurityContextHolder.getContext().setAuthentication(auth);
            }));
        }
        chain.doFilter(request, response);
    }
}
