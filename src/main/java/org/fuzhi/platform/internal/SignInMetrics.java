package org.fuzhi.platform.internal;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.stereotype.Component;

/** {@code fuzhi.logins{outcome}}: a wave of failures is a guessing attack or a locked-out county, both worth an alert. */
@Component
class SignInMetrics {

    private final MeterRegistry meters;

    SignInMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    @EventListener
    void succeeded(AuthenticationSuccessEvent e) {
        meters.counter("fuzhi.logins", "outcome", "success").increment();
    }

    @EventListener
    void failed(AbstractAuthenticationFailureEvent e) {
        meters.counter("fuzhi.logins", "outcome", "failure").increment();
    }
}
