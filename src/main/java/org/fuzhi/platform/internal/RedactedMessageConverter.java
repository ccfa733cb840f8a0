package org.fuzhi.platform.internal;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.fuzhi.common.Masking;

/**
 * {@code %safeMsg} in the log pattern: the message with every ID-like number masked. A full ID number reaches a log
 * line in ways no code review catches — a database's duplicate-key message, a library's exception — so the mask is
 * applied where every line passes, not at each call.
 */
public class RedactedMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return Masking.redactIdNumbers(super.convert(event));
    }
}
