package org.fuzhi.platform.web;

import java.util.List;
import java.util.Locale;
import org.fuzhi.platform.AuditTargetNames;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Component;

/**
 * A unit or scope code in words, for the platform's own pages (the audit log, the accounts): a region (12 digits, a
 * village with its township) or a school by name, "REGION:…"/"SCHOOL:…" likewise; anything unknown stays as it is.
 * The names come from the module that knows places (through {@link AuditTargetNames}), so the platform does not
 * depend on it. Places are public administrative data, named for every reader.
 */
@Component
class PlaceNames {

    private final List<AuditTargetNames> namers;
    private final MessageSource messages;

    PlaceNames(List<AuditTargetNames> namers, MessageSource messages) {
        this.namers = namers;
        this.messages = messages;
    }

    String name(String value, Locale locale) {
        if (value == null) {
            return "";
        }
        if (value.startsWith("NONE")) {
            return messages.getMessage("audit.scope.none", null, locale);
        }
        String code = value.contains(":") ? value.substring(value.indexOf(':') + 1) : value;
        String type = code.matches("\\d{12}") ? "region" : "school";
        for (AuditTargetNames n : namers) {
            if (n.targetTypes().contains(type)) {
                try {
                    return n.names(type, List.of(code), locale).getOrDefault(code, value);
                } catch (RuntimeException ex) {
                    // A name is a convenience: the page still shows the code when a lookup fails.
                    return value;
                }
            }
        }
        return value;
    }
}
