package org.fuzhi.platform.internal;

import ch.qos.logback.classic.pattern.ExtendedThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import org.fuzhi.common.Masking;

/** {@code %safeEx} in the log pattern: stack traces with every ID-like number in their messages masked. */
public class RedactedThrowableConverter extends ExtendedThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return Masking.redactIdNumbers(super.throwableProxyToString(proxy));
    }
}
