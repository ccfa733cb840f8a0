package org.fuzhi.platform.internal;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fuzhi.common.Masking;
import tools.jackson.databind.json.JsonMapper;

/**
 * One JSON object per line (ECS field names) for a log collector, chosen with {@code FUZHI_LOG_FORMAT=json}. The
 * message and the stack trace pass the same ID-number mask as the plain console pattern: a collector is a place a
 * full ID number must not reach either.
 */
public class JsonLogLayout extends LayoutBase<ILoggingEvent> {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Override
    public String doLayout(ILoggingEvent event) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("@timestamp", Instant.ofEpochMilli(event.getTimeStamp()).toString());
        out.put("log.level", event.getLevel().toString());
        out.put("log.logger", event.getLoggerName());
        out.put("process.thread.name", event.getThreadName());
        out.put("service.name", "fuzhi");
        out.put("message", Masking.redactIdNumbers(event.getFormattedMessage()));
        if (event.getThrowableProxy() != null) {
            out.put("error.stack_trace", Masking.redactIdNumbers(ThrowableProxyUtil.asString(event.getThrowableProxy())));
        }
        return JSON.writeValueAsString(out) + "\n";
    }
}
