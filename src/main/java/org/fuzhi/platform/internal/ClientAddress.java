package org.fuzhi.platform.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Arrays;
import java.util.Collections;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The address a request came from, for login throttling and the audit log. Behind a reverse proxy every request
 * comes from the proxy: the client's address is then the last entry of {@code X-Forwarded-For} that no trusted proxy
 * wrote. The header is believed only from the proxies listed in {@code fuzhi.security.trusted-proxies}; anyone else
 * could write it to dodge the per-address throttle or to blame another address.
 */
@Component
class ClientAddress {

    private final Set<String> trusted;

    ClientAddress(@Value("${fuzhi.security.trusted-proxies:}") String trustedProxies) {
        this.trusted = Arrays.stream(trustedProxies.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    String of(HttpServletRequest request) {
        String remote = request.getRemoteAddr();
        if (!trusted.contains(remote)) {
            return remote;
        }
        // Every X-Forwarded-For line together: a proxy that adds its own line after the client's must not let the
        // client's line stand for the address.
        String forwarded = String.join(",", Collections.list(request.getHeaders("X-Forwarded-For")));
        if (forwarded.isBlank()) {
            return remote;
        }
        String[] hops = forwarded.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (!hop.isEmpty() && !trusted.contains(hop)) {
                return hop.length() > 64 ? hop.substring(0, 64) : hop;
            }
        }
        return remote;
    }

    /** The address of the request that started the job this thread runs: its audit entries carry it too. */
    static final ThreadLocal<String> CURRENT_JOB = new ThreadLocal<>();

    /** The current request's client address (or that of the request that started the current job), else null. */
    String current() {
        if (CURRENT_JOB.get() != null) {
            return CURRENT_JOB.get();
        }
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attrs) {
            return of(attrs.getRequest());
        }
        return null;
    }
}
