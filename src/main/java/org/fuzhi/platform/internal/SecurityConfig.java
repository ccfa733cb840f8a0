package org.fuzhi.platform.internal;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.MessageSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.web.servlet.LocaleResolver;
import tools.jackson.databind.json.JsonMapper;

@Configuration
class SecurityConfig {

    @Bean
    PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder();
    }

    @Bean
    AuthenticationManager authenticationManager(ThrottledAuthenticationProvider provider) {
        return new ProviderManager(provider);
    }

    /** The JSON API: stateless, bearer tokens, 401/403 as JSON rather than redirects to the login page. */
    // The key commands (keys rotate) start the application without a web server, and so without filter chains.
    @Bean
    @Order(1)
    @ConditionalOnWebApplication
    SecurityFilterChain apiChain(HttpSecurity http, TokenService tokens, AccountStore accounts,
                                 AuthenticationManager authManager, MessageSource messages,
                                 LocaleResolver locales, Environment env) throws Exception {
        http.securityMatcher("/api/**")
                .authenticationManager(authManager)
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new BearerTokenFilter(tokens, accounts), UsernamePasswordAuthenticationFilter.class)
                .addFilterBefore(new AccountStateFilter(accounts, env, messages, locales),
                        AuthorizationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/api/v1/auth/token").permitAll()
                        .anyRequest().authenticated())
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((req, res, ex) -> json(res, HttpServletResponse.SC_UNAUTHORIZED,
                                messages.getMessage("error.unauthorized", null, locales.resolveLocale(req))))
                        .accessDeniedHandler((req, res, ex) -> json(res, HttpServletResponse.SC_FORBIDDEN,
                                messages.getMessage("error.forbidden", null, locales.resolveLocale(req)))));
        return http.build();
    }

    /** The browser UI: form login with sessions and CSRF protection. */
    @Bean
    @Order(2)
    @ConditionalOnWebApplication
    SecurityFilterChain webChain(HttpSecurity http, AuthenticationManager authManager, AccountStore accounts,
                                 MessageSource messages, LocaleResolver locales,
                                 Environment env) throws Exception {
        http.authenticationManager(authManager)
                .addFilterBefore(new AccountStateFilter(accounts, env, messages, locales),
                        AuthorizationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/login", "/webjars/**", "/_static/**", "/css/**", "/js/**", "/favicon.ico",
                                "/actuator/health", "/actuator/health/**", "/v3/api-docs/**", "/swagger-ui/**",
                                "/swagger-ui.html", "/error", "/public/**")
                        .permitAll()
                        // Metrics carry no personal data but describe the service: the scraper on the same host
                        // (or behind the proxy, which does not forward this path) reads them, nobody else.
                        .requestMatchers("/actuator/prometheus").access((auth, ctx) ->
                                new AuthorizationDecision(
                                        loopback(ctx.getRequest().getRemoteAddr())))
                        .anyRequest().authenticated())
                .formLogin(f -> f.loginPage("/login").defaultSuccessUrl("/", true).failureUrl("/login?error"))
                .logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login?logout"))
                .headers(SecurityConfig::browserHeaders);
        return http.build();
    }

    private static boolean loopback(String address) {
        try {
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Content Security Policy: nothing is loaded, framed or posted outside this server, no plugins, no base-URL
     * tricks. Inline scripts are still allowed because the dashboard's chart data and one file-picker label use them;
     * moving them into static files would allow dropping 'unsafe-inline'. Referrer: a notice or student URL never
     * travels to another site.
     */
    static void browserHeaders(
            HeadersConfigurer<HttpSecurity> h) {
        h.frameOptions(fo -> fo.sameOrigin())
                .contentSecurityPolicy(c -> c.policyDirectives("default-src 'self'; script-src 'self' 'unsafe-inline'; "
                        + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
                        + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"))
                .referrerPolicy(r -> r.policy(
                        ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN));
    }

    /** Error bodies of the API's security refusals (JSON written by Jackson: a message may hold any character). */
    private static final JsonMapper ERROR_JSON = JsonMapper.builder().build();

    static void json(HttpServletResponse res, int status, String message) throws IOException {
        res.setStatus(status);
        res.setContentType("application/json;charset=UTF-8");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("message", message);
        res.getOutputStream().write(ERROR_JSON.writeValueAsBytes(body));
    }
}
