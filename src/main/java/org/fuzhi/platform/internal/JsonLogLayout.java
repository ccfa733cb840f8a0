package org.fuzhi.platform.internal;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import org.fuzhi.common.Masking;

/**
 * One JSON object per line (ECS field names) for a log collector, chosen with {@code FUZHI_LOG_FORMAT=json}. The
 * message and the stack trace pass the same ID-number mask as the plain console pattern: a collector is a place a
 * full ID number must not reach either.
 */
public class JsonLogLayout extends LayoutBase<ILoggingEvent> {

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder out = new StringBuilder(256);
        out.append("{\"@timestamp\":\"").append(Instant.ofEpochMilli(event.getTimeStamp())).append('"');
        field(out, "log.level", event.getLevel().toString());
        field(out, "log.logger", event.getLoggerName());
        field(out, "process.thread.name", event.getThreadName());
        field(out, "service.name", "fuzhi");
        field(out, "message", Masking.redactIdNumbers(event.getFormattedMessage()));
        if (event.getThrowableProxy() != null) {
            field(out, "error.stack_trace",
                    Masking.redactIdNumbers(ThrowableProxyUtil.asString(event.getThrowableProxy())));
        }
        return out.append("}\n").toString();
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(",\"").append(name).append("\":\"");
        if (value != null) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
        }
        out.append('"');
    }
}
