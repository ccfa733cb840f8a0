package org.fuzhi.identification.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.fuzhi.identification.Models;
import org.springframework.context.MessageSource;

/**
 * An indicator's rule read back in words: {@code household.incomePerHead != null and household.incomePerHead < 6000}
 * reads "家庭人均年收入已填写，且家庭人均年收入低于 6000 元". The expression stays what is stored and run; this is how
 * a clerk checks that it says what the policy says. Comparisons of an attribute with a value, membership in a list,
 * yes/no attributes, {@code not}, {@code and} and {@code or} are put in words; arithmetic is quoted as written.
 * A rule that does not parse reads as null (the page shows the expression and its error instead).
 */
final class RuleSentence {

    private RuleSentence() {
    }

    /** A small tree of what the rule says (not what it computes: that is {@link Expression}). */
    private sealed interface Part permits All, Any, Not, Compare, In, Raw {
    }

    private record All(List<Part> parts) implements Part {
    }

    private record Any(List<Part> parts) implements Part {
    }

    private record Not(Part inner) implements Part {
    }

    /** {@code name op value}; value is a number text, a string, true, false or null. */
    private record Compare(String name, String op, String value, boolean string) implements Part {
    }

    private record In(String name, List<String> values) implements Part {
    }

    /** Quoted as written: arithmetic, or a shape the reader does not put in words. */
    private record Raw(String text) implements Part {
    }

    static String of(String expression, MessageSource messages, Locale locale) {
        if (expression == null || expression.isBlank()) {
            return null;
        }
        try {
            // Only a rule the language accepts is put in words: a broken one shows its error, not a guess.
            Expression.compile(expression, ModelStore.ATTRIBUTES);
            Reader r = new Reader(Expression.tokenize(expression), expression);
            Part p = r.or();
            if (r.pos < r.tokens.size()) {
                return null;
            }
            return new Words(messages, locale).say(p, false);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static final Map<String, String> OPS = Map.of("<", "lt", "<=", "le", ">", "gt",
            ">=", "ge", "==", "eq", "!=", "ne");

    /**
     * The rule as the form shows it: one attribute compared with a number (a "filled in" guard before it is
     * allowed, as the form writes it), a yes/no, or a set of categories. Anything else is empty.
     */
    static Optional<Models.SimpleRule> simple(String expression) {
        if (expression == null || expression.isBlank()) {
            return Optional.empty();
        }
        try {
            Expression.compile(expression, ModelStore.ATTRIBUTES);
            Reader r = new Reader(Expression.tokenize(expression), expression);
            Part p = r.or();
            if (r.pos < r.tokens.size()) {
                return Optional.empty();
            }
            if (p instanceof All all && all.parts().size() == 2 && all.parts().get(0) instanceof Compare guard
                    && guard.op().equals("!=") && guard.value().equals("null") && !guard.string()
                    && all.parts().get(1) instanceof Compare c && c.name().equals(guard.name())) {
                p = c;
            }
            if (p instanceof Not n && n.inner() instanceof Compare c && !c.string() && c.value().equals("true")) {
                return Optional.of(new Models.SimpleRule(c.name(), "no", null,
                        List.of()));
            }
            if (p instanceof In in) {
                return Optional.of(new Models.SimpleRule(in.name(), "in", null,
                        List.copyOf(in.values())));
            }
            if (p instanceof Compare c) {
                if (c.string() && c.op().equals("==")) {
                    return Optional.of(new Models.SimpleRule(c.name(), "in", null,
                            List.of(c.value())));
                }
                if (!c.string() && (c.value().equals("true") || c.value().equals("false"))
                        && (c.op().equals("==") || c.op().equals("!="))) {
                    boolean yes = c.value().equals("true") == c.op().equals("==");
                    return Optional.of(new Models.SimpleRule(c.name(),
                            yes ? "yes" : "no", null, List.of()));
                }
                if (!c.string() && !c.value().equals("null") && OPS.containsKey(c.op())) {
                    return Optional.of(new Models.SimpleRule(c.name(),
                            OPS.get(c.op()), c.value(), List.of()));
                }
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static final class Reader {
        final List<Expression.Token> tokens;
        final String source;
        int pos;

        Reader(List<Expression.Token> tokens, String source) {
            this.tokens = tokens;
            this.source = source;
        }

        Expression.Token peek() {
            return pos < tokens.size() ? tokens.get(pos) : null;
        }

        boolean word(String w) {
            Expression.Token t = peek();
            if (t != null && ((t.kind() == Expression.Kind.NAME && t.text().equalsIgnoreCase(w))
                    || (t.kind() == Expression.Kind.OP && t.text().equals(w)))) {
                pos++;
                return true;
            }
            return false;
        }

        Part or() {
            List<Part> parts = new ArrayList<>(List.of(and()));
            while (word("or") || word("||")) {
                parts.add(and());
            }
            return parts.size() == 1 ? parts.get(0) : new Any(parts);
        }

        Part and() {
            List<Part> parts = new ArrayList<>(List.of(not()));
            while (word("and") || word("&&")) {
                parts.add(not());
            }
            return parts.size() == 1 ? parts.get(0) : new All(parts);
        }

        Part not() {
            if (word("not") || word("!")) {
                return new Not(not());
            }
            return comparison();
        }

        Part comparison() {
            Expression.Token t = peek();
            if (t != null && t.kind() == Expression.Kind.LPAREN) {
                int start = pos;
                pos++;
                Part inner = or();
                if (peek() != null && peek().kind() == Expression.Kind.RPAREN) {
                    pos++;
                    if (!startsArithmetic()) {
                        return inner;
                    }
                }
                pos = start;
                return rawComparison();
            }
            if (t != null && t.kind() == Expression.Kind.NAME && !isLiteral(t.text())) {
                Expression.Token next = pos + 1 < tokens.size() ? tokens.get(pos + 1) : null;
                if (next == null || next.kind() == Expression.Kind.RPAREN
                        || (next.kind() == Expression.Kind.NAME && List.of("and", "or").contains(next.text().toLowerCase(Locale.ROOT)))
                        || (next.kind() == Expression.Kind.OP && List.of("&&", "||").contains(next.text()))) {
                    pos++;
                    return new Compare(t.text(), "==", "true", false);
                }
                if (next.kind() == Expression.Kind.NAME && next.text().equalsIgnoreCase("in")) {
                    pos += 2;
                    expect(Expression.Kind.LPAREN);
                    List<String> values = new ArrayList<>();
                    while (peek() != null && peek().kind() != Expression.Kind.RPAREN) {
                        Expression.Token v = tokens.get(pos++);
                        if (v.kind() != Expression.Kind.COMMA) {
                            values.add(v.text());
                        }
                    }
                    expect(Expression.Kind.RPAREN);
                    return new In(t.text(), values);
                }
                Expression.Token value = pos + 2 < tokens.size() ? tokens.get(pos + 2) : null;
                Expression.Token after = pos + 3 < tokens.size() ? tokens.get(pos + 3) : null;
                if (next.kind() == Expression.Kind.OP && List.of("<", "<=", ">", ">=", "==", "!=").contains(next.text())
                        && value != null && value.kind() != Expression.Kind.LPAREN
                        && (after == null || !isArithmetic(after))) {
                    pos += 3;
                    return new Compare(t.text(), next.text(), value.text(), value.kind() == Expression.Kind.STRING);
                }
            }
            return rawComparison();
        }

        /** Everything up to the next and/or at this depth, quoted as written. */
        Part rawComparison() {
            int depth = 0;
            int start = pos;
            while (pos < tokens.size()) {
                Expression.Token t = tokens.get(pos);
                if (t.kind() == Expression.Kind.LPAREN) {
                    depth++;
                } else if (t.kind() == Expression.Kind.RPAREN) {
                    if (depth == 0) {
                        break;
                    }
                    depth--;
                } else if (depth == 0 && ((t.kind() == Expression.Kind.NAME
                        && List.of("and", "or").contains(t.text().toLowerCase(Locale.ROOT)))
                        || (t.kind() == Expression.Kind.OP && List.of("&&", "||").contains(t.text())))) {
                    break;
                }
                pos++;
            }
            if (pos == start) {
                throw new IllegalStateException("nothing to read");
            }
            int from = tokens.get(start).at();
            int to = pos < tokens.size() ? tokens.get(pos).at() : source.length();
            return new Raw(source.substring(from, to).strip());
        }

        boolean startsArithmetic() {
            Expression.Token t = peek();
            return t != null && isArithmetic(t) || (t != null && t.kind() == Expression.Kind.OP
                    && List.of("<", "<=", ">", ">=", "==", "!=").contains(t.text()));
        }

        static boolean isArithmetic(Expression.Token t) {
            return t.kind() == Expression.Kind.OP && "+-*/".contains(t.text());
        }

        static boolean isLiteral(String s) {
            return List.of("true", "false", "null", "not", "and", "or", "in").contains(s.toLowerCase(Locale.ROOT));
        }

        void expect(Expression.Kind kind) {
            if (peek() == null || peek().kind() != kind) {
                throw new IllegalStateException("expected " + kind);
            }
            pos++;
        }
    }

    /** Puts a part in the reader's words from the message bundles ({@code model.say.*}, {@code model.attr.*}). */
    private record Words(MessageSource messages, Locale locale) {

        String say(Part p, boolean nested) {
            if (p instanceof All a) {
                return join(a.parts(), "model.say.and", true);
            }
            if (p instanceof Any a) {
                return nested ? msg("model.say.group", join(a.parts(), "model.say.or", true))
                        : join(a.parts(), "model.say.or", true);
            }
            if (p instanceof Not n) {
                return negate(n.inner());
            }
            if (p instanceof In in) {
                return msg("model.say.in", label(in.name()), values(in.name(), in.values()));
            }
            if (p instanceof Compare c) {
                return compare(c, false);
            }
            return msg("model.say.raw", ((Raw) p).text());
        }

        String join(List<Part> parts, String separatorKey, boolean nested) {
            List<String> said = parts.stream().map(x -> say(x, nested)).toList();
            return String.join(msg(separatorKey), said);
        }

        String negate(Part inner) {
            if (inner instanceof Compare c) {
                return compare(c, true);
            }
            return msg("model.say.not", say(inner, true));
        }

        String compare(Compare c, boolean negated) {
            String op = c.op();
            String value = c.value();
            if (negated) {
                op = switch (op) {
                    case "<" -> ">=";
                    case "<=" -> ">";
                    case ">" -> "<=";
                    case ">=" -> "<";
                    case "==" -> "!=";
                    default -> "==";
                };
            }
            if (!c.string() && (value.equals("true") || value.equals("false"))) {
                boolean yes = value.equals("true") == op.equals("==");
                String own = messages.getMessage("model.attr" + (yes ? "Yes." : "No.") + c.name(), null, null, locale);
                return own != null ? own : msg(yes ? "model.say.yes" : "model.say.no", label(c.name()));
            }
            if (!c.string() && value.equals("null")) {
                return msg(op.equals("==") ? "model.say.missing" : "model.say.present", label(c.name()));
            }
            String shown = c.string() ? valueLabel(c.name(), value) : value + unit(c.name());
            return msg("model.say.op." + switch (op) {
                case "<" -> "lt";
                case "<=" -> "le";
                case ">" -> "gt";
                case ">=" -> "ge";
                case "!=" -> "ne";
                default -> "eq";
            }, label(c.name()), shown);
        }

        String values(String name, List<String> values) {
            List<String> shown = values.stream().map(v -> valueLabel(name, v)).toList();
            if (shown.size() == 1) {
                return shown.get(0);
            }
            return String.join(msg("list.separator"), shown.subList(0, shown.size() - 1)) + msg("model.say.lastOr")
                    + shown.get(shown.size() - 1);
        }

        String label(String name) {
            return messages.getMessage("model.attr." + name, null, name, locale);
        }

        String unit(String name) {
            String u = messages.getMessage("model.attrUnit." + name, null, "", locale);
            return u.isEmpty() ? "" : " " + u;
        }

        String valueLabel(String name, String value) {
            String key = switch (name) {
                case "household.category" -> "enum.PovertyCategory." + value;
                case "student.stage" -> "enum.Stage." + value;
                default -> null;
            };
            return key == null ? value : messages.getMessage(key, null, value, locale);
        }

        String msg(String key, Object... args) {
            return messages.getMessage(key, args, locale);
        }
    }
}
