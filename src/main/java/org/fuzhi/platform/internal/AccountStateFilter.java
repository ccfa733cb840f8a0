package org.fuzhi.platform.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.context.MessageSource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.LocaleResolver;

/**
 * Checks the signed-in account at every request, on the UI and the API alike: a disabled account, one whose password
 * was changed or reset or whose scope changed since it signed in, and a demo account under {@code prod} are signed
 * out at once; an account that must change its password may do nothing else first. One look-up by primary key.
 */
class AccountStateFilter extends OncePerRequestFilter {

    /** What an account that must change its password may still reach. */
    private static final List<String> WHILE_MUST_CHANGE = List.of("/account/password", "/api/v1/account/password",
            "/api/v1/auth/logout", "/logout", "/login", "/error", "/css/", "/webjars/", "/_static/", "/favicon.ico");

    private final AccountStore accounts;
    private final Environment env;
    private final MessageSource messages;
    private final LocaleResolver locales;

    AccountStateFilter(AccountStore accounts, Environment env, MessageSource messages, LocaleResolver locales) {
        this.accounts = accounts;
        this.env = env;
        this.messages = messages;
        this.locales = locales;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        var auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth != null && auth.getPrincipal() instanceof FuzhiPrincipal p && p.currentUser().id() > 0) {
            boolean api = request.getRequestURI().startsWith(request.getContextPath() + "/api/");
            var account = accounts.findById(p.currentUser().id()).orElse(null);
            boolean ended = account == null || !account.enabled()
                    || account.credentialsVersion() != p.credentialsVersion()
                    || account.demo() && env.acceptsProfiles(Profiles.of("prod"));
            if (ended) {
                SecurityContextHolder.clearContext();
                var session = request.getSession(false);
                if (session != null) {
                    session.invalidate();
                }
                if (api) {
                    SecurityConfig.json(response, HttpServletResponse.SC_UNAUTHORIZED,
                            messages.getMessage("error.sessionEnded", null, locales.resolveLocale(request)));
                } else {
                    response.sendRedirect(request.getContextPath() + "/login?ended");
                }
                return;
            }
            String path = request.getRequestURI().substring(request.getContextPath().length());
            if (account.mustChangePassword() && WHILE_MUST_CHANGE.stream().noneMatch(path::startsWith)) {
                if (api) {
                    SecurityConfig.json(response, HttpServletResponse.SC_FORBIDDEN,
                            messages.getMessage("password.mustChange", null, locales.resolveLocale(request)));
                } else {
                    response.sendRedirect(request.getContextPath() + "/account/password");
                }
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
