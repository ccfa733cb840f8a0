package org.fuzhi.platform.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.internal.ApiTokens;
import org.fuzhi.platform.internal.LoginThrottledException;
import org.springframework.context.MessageSource;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetailsSource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "auth")
class AuthApiController {

    private final AuthenticationManager authManager;
    private final ApiTokens tokens;
    private final MessageSource messages;

    AuthApiController(AuthenticationManager authManager, ApiTokens tokens, MessageSource messages) {
        this.authManager = authManager;
        this.tokens = tokens;
        this.messages = messages;
    }

    record TokenRequest(String username, String password) {
    }

    record TokenResponse(String token, Instant expiresAt) {
    }

    record ErrorResponse(int status, String message) {
    }

    /** Signs the presented token out; a stolen copy of it stops working too. */
    @PostMapping("/api/v1/auth/logout")
    @Operation(summary = "Revoke the bearer token of this request")
    Map<String, Object> logout(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            tokens.revoke(header.substring(7).trim());
        }
        return Map.of("signedOut", true);
    }

    @PostMapping("/api/v1/auth/token")
    @Operation(summary = "Exchange a username and password for a bearer token")
    ResponseEntity<?> token(@RequestBody TokenRequest body, HttpServletRequest request, Locale locale) {
        var auth = UsernamePasswordAuthenticationToken.unauthenticated(
                body.username() == null ? "" : body.username(), body.password() == null ? "" : body.password());
        auth.setDetails(new WebAuthenticationDetailsSource().buildDetails(request));
        try {
            var result = authManager.authenticate(auth);
            var issued = tokens.issueFor(result);
            return ResponseEntity.ok(new TokenResponse(issued.token(), issued.expiresAt()));
        } catch (LoginThrottledException e) {
            return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).body(new ErrorResponse(429,
                    messages.getMessage("login.throttled", new Object[]{e.minutes()}, locale)));
        } catch (DisabledException e) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(new ErrorResponse(401,
                    messages.getMessage("login.disabled", null, locale)));
        } catch (AuthenticationException e) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(new ErrorResponse(401,
                    messages.getMessage("login.failed", null, locale)));
        }
    }

    /**
     * Who the token belongs to: name, role and scope. Answered from the token's account alone (no query beyond the
     * token check), so it is also the load benchmark's ceiling: what any authenticated request costs at least.
     */
    @GetMapping("/api/v1/me")
    @ResponseBody
    Map<String, Object> me() {
        CurrentUser u = CurrentUser.get();
        return Map.of("username", u.username(), "displayName", u.displayName(), "role", u.role().name(),
                "scopeType", u.scope().type().name(), "scopeCode", u.scope().code() == null ? "" : u.scope().code());
    }
}
