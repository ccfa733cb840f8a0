package org.fuzhi.platform.web;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.AuditTargetNames;
import org.fuzhi.platform.CurrentUser;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The audit log as people read it: the action in words, the target by name ("学生 潘*涵"), the details as labelled
 * fields. The stored record stays as written (codes and JSON): it is what the hash chain covers.
 */
@Component
class AuditView {

    private final List<AuditTargetNames> namers;
    private final MessageSource messages;
    private final PlaceNames places;
    private final JsonMapper json = JsonMapper.builder().build();

    AuditView(List<AuditTargetNames> namers, MessageSource messages, PlaceNames places) {
        this.namers = namers;
        this.messages = messages;
        this.places = places;
    }

    record Field(String label, String value) {
    }

    record Row(long id, Instant occurredAt, String actor, String role, String action, String actionCode,
               String target, List<Field> details, String scope, String clientIp) {

        /** The details on one line, for the export. */
        public String detailsText() {
            return String.join("；", details.stream().map(f -> f.label() + "：" + f.value()).toList());
        }
    }

    record ActionOption(String code, String label) {
    }

    /** Every action the log can hold, by its label, for the filter. */
    List<ActionOption> actions(Locale locale) {
        List<ActionOption> out = new ArrayList<>();
        for (String key : ResourceBundle.getBundle("messages", Locale.ROOT).keySet()) {
            if (key.startsWith("audit.action.")) {
                String code = key.substring("audit.action.".length());
                out.add(new ActionOption(code, messages.getMessage(key, null, code, locale)));
            }
        }
        out.sort(Comparator.comparing(ActionOption::label));
        return out;
    }

    List<Row> rows(List<AuditLog.Event> events, Locale locale) {
        Map<String, Set<String>> ids = new HashMap<>();
        for (AuditLog.Event e : events) {
            if (e.targetType() != null && e.targetId() != null) {
                ids.computeIfAbsent(e.targetType(), t -> new LinkedHashSet<>()).add(e.targetId());
            }
            if (e.actor() != null) {
                ids.computeIfAbsent("account", t -> new LinkedHashSet<>()).add(e.actor());
            }
        }
        Map<String, Map<String, String>> names = new HashMap<>();
        ids.forEach((type, set) -> names.put(type, name(type, set, locale)));
        Map<String, String> placeNames = new HashMap<>();
        UnaryOperator<String> places = code -> placeNames.computeIfAbsent(code,
                c -> this.places.name(c, locale));
        List<Row> out = new ArrayList<>(events.size());
        for (AuditLog.Event e : events) {
            String action = messages.getMessage("audit.action." + e.action(), null, e.action(), locale);
            String target = "";
            if (e.targetType() != null) {
                String type = messages.getMessage("audit.target." + e.targetType(), null, e.targetType(), locale);
                String id = e.targetId() == null ? "" : names.getOrDefault(e.targetType(), Map.of())
                        .getOrDefault(e.targetId(), e.targetId());
                target = (type + " " + id).strip();
            }
            String actor = e.actor() == null ? "" : "system".equals(e.actor())
                    ? messages.getMessage("audit.actor.system", null, locale)
                    : names.getOrDefault("account", Map.of()).getOrDefault(e.actor(), e.actor());
            String role = e.actorRole() == null ? "" : messages.getMessage("enum.Role." + e.actorRole(), null,
                    e.actorRole(), locale);
            out.add(new Row(e.id(), e.occurredAt(), actor, role, action, e.action(), target, fields(e.details(), places, locale),
                    e.scope(), e.clientIp()));
        }
        return out;
    }

    private Map<String, String> name(String type, Collection<String> ids, Locale locale) {
        boolean seesChildren = CurrentUser.find().map(u -> u.role().seesChildren()).orElse(false);
        for (AuditTargetNames n : namers) {
            if (n.childTypes().contains(type) && !seesChildren) {
                // The administrator reads the log without becoming a reader of children's names.
                return Map.of();
            }
            if (n.targetTypes().contains(type)) {
                try {
                    return n.names(type, ids, locale);
                } catch (RuntimeException ex) {
                    // A name is a convenience: the page still shows the id when a lookup fails.
                    return Map.of();
                }
            }
        }
        return Map.of();
    }

    /** Where the codes a detail field holds are named: the field's own enum first, then words any field may hold. */
    private static final Map<String, List<String>> FAMILIES = Map.ofEntries(
            Map.entry("role", List.of("enum.Role.")), Map.entry("relation", List.of("enum.Relation.")),
            Map.entry("outcome", List.of("enum.VisitOutcome.")), Map.entry("step", List.of("enum.Step.")),
            Map.entry("reason", List.of("enum.CloseReason.")), Map.entry("type", List.of("enum.Type.")),
            Map.entry("category", List.of("enum.PovertyCategory.")),
            Map.entry("status", List.of("enum.CaseStatus.", "enum.EnrolmentStatus.", "enum.TaskStatus.")),
            Map.entry("kind", List.of("import.kind.", "aid.fundKind.")), Map.entry("field", List.of("audit.field.")),
            Map.entry("by", List.of("audit.searchBy.")), Map.entry("action", List.of("audit.action.")),
            Map.entry("mark", List.of("enum.SurveyMark.")));

    /** A detail's value in words where it is a code ("GUARDIAN" → 监护人, "ALL" → 全部); anything else as it is. */
    private String word(String key, String value, Locale locale) {
        if (!value.matches("[A-Za-z][A-Za-z0-9_-]*")) {
            return value;
        }
        for (String family : FAMILIES.getOrDefault(key, List.of())) {
            String w = messages.getMessage(family + value, null, null, locale);
            if (w != null) {
                return w;
            }
        }
        return messages.getMessage("audit.value." + value, null, value, locale);
    }

    private List<Field> fields(String details, UnaryOperator<String> places, Locale locale) {
        if (details == null || details.isBlank()) {
            return List.of();
        }
        JsonNode node;
        try {
            node = json.readTree(details);
        } catch (RuntimeException ex) {
            return List.of(new Field(messages.getMessage("audit.details", null, locale), details));
        }
        List<Field> out = new ArrayList<>();
        for (var entry : node.properties()) {
            String key = entry.getKey();
            JsonNode v = entry.getValue();
            String value;
            if (v.isBoolean()) {
                value = messages.getMessage("audit.value." + v.asBoolean(), null, locale);
            } else if (v.isNull()) {
                value = "—";
            } else if ((key.equals("scope") || key.equals("unit")) && v.isString()
                    && v.asString().matches("(REGION:|SCHOOL:|NONE:)?[0-9A-Za-z]+|NONE:null")) {
                value = places.apply(v.asString());
            } else {
                value = word(key, v.isString() ? v.asString() : v.toString(), locale);
            }
            out.add(new Field(messages.getMessage("audit.field." + key, null, key, locale), value));
        }
        return out;
    }
}
