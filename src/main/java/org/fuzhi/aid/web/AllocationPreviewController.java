package org.fuzhi.aid.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.fuzhi.aid.Waterfall;
import org.fuzhi.common.Money;
import org.springframework.context.MessageSource;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The waterfall on given data, touching no table: for what-if ("what if the backstop were 3,000,000?") and for
 * anyone who wants to check the allocation rule from outside. The request is read field by field so that a bad value
 * is refused with the field's path, not a parser's message.
 */
@RestController
@Tag(name = "aid")
class AllocationPreviewController {

    private final MessageSource messages;

    AllocationPreviewController(MessageSource messages) {
        this.messages = messages;
    }

    /** A refused request: the field's path (e.g. {@code entitlements[2].amount}) and the rule's message key. */
    static final class BadField extends RuntimeException {
        final String field;
        final String key;
        final transient Object[] args;

        BadField(String field, String key, Object... args) {
            super(field + ": " + key);
            this.field = field;
            this.key = key;
            this.args = args;
        }
    }

    @PostMapping("/api/v1/aid/allocation/preview")
    @Operation(summary = "Run the funding waterfall on the funds and entitlements given, without saving anything")
    Map<String, Object> preview(@RequestBody(required = false) JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new BadField("body", "aid.rule.object");
        }
        List<Waterfall.Fund> funds = new ArrayList<>();
        Set<String> fundCodes = new LinkedHashSet<>();
        JsonNode fs = array(body, "funds", "funds");
        for (int i = 0; i < fs.size(); i++) {
            String at = "funds[" + i + "]";
            JsonNode f = object(fs.get(i), at);
            String code = text(f, "code", at + ".code");
            if (!fundCodes.add(code)) {
                throw new BadField(at + ".code", "aid.rule.repeatedFund", code);
            }
            JsonNode p = f.get("priority");
            if (p == null || !p.isIntegralNumber() || !p.canConvertToInt()) {
                throw new BadField(at + ".priority", "aid.rule.integer");
            }
            funds.add(new Waterfall.Fund(code, p.asInt(), amount(f, "budget", at + ".budget"),
                    names(f, "items", at + ".items"), names(f, "students", at + ".students")));
        }
        List<Waterfall.Entitlement> entitlements = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        JsonNode es = array(body, "entitlements", "entitlements");
        for (int i = 0; i < es.size(); i++) {
            String at = "entitlements[" + i + "]";
            JsonNode e = object(es.get(i), at);
            String id = text(e, "id", at + ".id");
            if (!ids.add(id)) {
                throw new BadField(at + ".id", "aid.rule.repeatedEntitlement", id);
            }
            entitlements.add(new Waterfall.Entitlement(id, text(e, "student", at + ".student"),
                    text(e, "item", at + ".item"), amount(e, "amount", at + ".amount")));
        }
        Waterfall.Result r = Waterfall.allocate(funds, entitlements);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("lines", r.lines().stream().map(l -> ordered("entitlement", l.entitlement(), "fund", l.fund(),
                "amount", l.amount().toString())).toList());
        out.put("uncovered", r.uncovered().stream().map(u -> ordered("entitlement", u.entitlement(),
                "amount", u.amount().toString())).toList());
        out.put("funds", r.funds().stream().map(f -> ordered("code", f.code(), "used", f.used().toString(),
                "left", f.left().toString())).toList());
        return out;
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static JsonNode array(JsonNode parent, String name, String at) {
        JsonNode a = parent.get(name);
        if (a == null || a.isNull()) {
            throw new BadField(at, "aid.rule.required");
        }
        if (!a.isArray()) {
            throw new BadField(at, "aid.rule.array");
        }
        return a;
    }

    private static JsonNode object(JsonNode n, String at) {
        if (n == null || !n.isObject()) {
            throw new BadField(at, "aid.rule.object");
        }
        return n;
    }

    private static String text(JsonNode parent, String name, String at) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull() || n.isContainer() || n.asString().isBlank()) {
            throw new BadField(at, "aid.rule.required");
        }
        return n.asString().strip();
    }

    /** Decimal strings as the contract says; a plain JSON number is taken too, by its exact decimal text. */
    private static Money amount(JsonNode parent, String name, String at) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            throw new BadField(at, "aid.rule.required");
        }
        String text = n.isNumber() ? n.decimalValue().toPlainString() : n.isString() ? n.asString() : null;
        Money m;
        try {
            m = Money.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadField(at, "aid.rule.amount", String.valueOf(text));
        }
        if (m.isNegative()) {
            throw new BadField(at, "aid.rule.negative", m.toString());
        }
        return m;
    }

    private static Set<String> names(JsonNode parent, String name, String at) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw new BadField(at, "aid.rule.array");
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode v = n.get(i);
            if (v == null || !(v.isString() || v.isNumber()) || v.asString().isBlank()) {
                throw new BadField(at + "[" + i + "]", "aid.rule.required");
            }
            out.add(v.asString().strip());
        }
        return out;
    }

    @ExceptionHandler(BadField.class)
    ResponseEntity<Map<String, Object>> bad(BadField e, Locale locale) {
        String rule = messages.getMessage(e.key, e.args, locale);
        return ResponseEntity.badRequest().body(Map.of("status", 400, "field", e.field,
                "message", messages.getMessage("aid.fieldMessage", new Object[]{e.field, rule}, locale)));
    }
}
