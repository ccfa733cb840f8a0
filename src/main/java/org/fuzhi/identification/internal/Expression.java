package org.fuzhi.identification.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The indicator language: comparisons, arithmetic and boolean logic over named attributes, e.g.
 * {@code household.incomePerHead < 4000 and not household.housingSafe} or
 * {@code household.category in ('UNSTABLE', 'MARGINAL')}.
 *
 * <p>It is parsed by this class into a small tree and evaluated by walking it: there are no function or
 * method calls, no assignment, no access to anything but the attributes named at compile time, and the
 * source length and nesting depth are bounded — nothing a user types is ever run as code.
 */
final class Expression {

    static final int MAX_LENGTH = 1000;
    static final int MAX_DEPTH = 40;

    /** A rule of the language is broken; {@code messageKey} explains which, {@code position} is 0-based. */
    static final class SyntaxException extends RuntimeException {
        final String messageKey;
        final int position;
        final String detail;

        SyntaxException(String messageKey, int position, String detail) {
            super(messageKey + " at " + position + (detail == null ? "" : ": " + detail));
            this.messageKey = messageKey;
            this.position = position;
            this.detail = detail;
        }
    }

    /** The data does not fit the expression (missing value, text compared with a number, division by zero). */
    static final class EvaluationException extends RuntimeException {
        final String messageKey;
        final String detail;

        EvaluationException(String messageKey, String detail) {
            super(messageKey + ": " + detail);
            this.messageKey = messageKey;
            this.detail = detail;
        }
    }

    private interface Node {
        Object eval(Map<String, ?> values);
    }

    private final Node root;
    private final String source;

    private Expression(Node root, String source) {
        this.root = root;
        this.source = source;
    }

    String source() {
        return source;
    }

    static Expression compile(String source, Set<String> attributes) {
        if (source == null || source.isBlank()) {
            throw new SyntaxException("expression.empty", 0, null);
        }
        if (source.length() > MAX_LENGTH) {
            throw new SyntaxException("expression.tooLong", MAX_LENGTH, null);
        }
        Parser p = new Parser(tokenize(source), attributes);
        Node n = p.or(0);
        if (p.pos < p.tokens.size()) {
            Token t = p.tokens.get(p.pos);
            throw new SyntaxException("expression.unexpected", t.at, t.text);
        }
        return new Expression(n, source);
    }

    /** Whether the expression holds for these values; it must produce true or false. */
    boolean test(Map<String, ?> values) {
        Object v = root.eval(values);
        if (v instanceof Boolean b) {
            return b;
        }
        throw new EvaluationException("expression.notBoolean", source);
    }

    Object evaluate(Map<String, ?> values) {
        return root.eval(values);
    }

    // ------------------------------------------------------------------ tokens

    enum Kind { NUMBER, STRING, NAME, OP, LPAREN, RPAREN, COMMA }

    record Token(Kind kind, String text, int at) {
    }

    static List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
                int start = i;
                while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                    i++;
                }
                out.add(new Token(Kind.NUMBER, s.substring(start, i), start));
            } else if (c == '\'' || c == '"') {
                int start = i++;
                StringBuilder sb = new StringBuilder();
                while (i < s.length() && s.charAt(i) != c) {
                    sb.append(s.charAt(i++));
                }
                if (i >= s.length()) {
                    throw new SyntaxException("expression.unclosedString", start, null);
                }
                i++;
                out.add(new Token(Kind.STRING, sb.toString(), start));
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_'
                        || s.charAt(i) == '.')) {
                    i++;
                }
                out.add(new Token(Kind.NAME, s.substring(start, i), start));
            } else if (c == '(') {
                out.add(new Token(Kind.LPAREN, "(", i++));
            } else if (c == ')') {
                out.add(new Token(Kind.RPAREN, ")", i++));
            } else if (c == ',') {
                out.add(new Token(Kind.COMMA, ",", i++));
            } else {
                String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
                if (List.of("<=", ">=", "==", "!=", "&&", "||").contains(two)) {
                    out.add(new Token(Kind.OP, two, i));
                    i += 2;
                } else if ("<>+-*/!".indexOf(c) >= 0) {
                    out.add(new Token(Kind.OP, String.valueOf(c), i++));
                } else {
                    throw new SyntaxException("expression.badCharacter", i, String.valueOf(c));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ parser

    private static final class Parser {
        final List<Token> tokens;
        final Set<String> attributes;
        int pos;

        Parser(List<Token> tokens, Set<String> attributes) {
            this.tokens = tokens;
            this.attributes = attributes;
        }

        private Token peek() {
            return pos < tokens.size() ? tokens.get(pos) : null;
        }

        private boolean isWord(String w) {
            Token t = peek();
            return t != null && t.kind == Kind.NAME && t.text.equalsIgnoreCase(w);
        }

        private boolean isOp(String... ops) {
            Token t = peek();
            if (t == null || t.kind != Kind.OP) {
                return false;
            }
            for (String o : ops) {
                if (t.text.equals(o)) {
                    return true;
                }
            }
            return false;
        }

        private int end() {
            return tokens.isEmpty() ? 0 : tokens.get(tokens.size() - 1).at + 1;
        }

        private void depth(int d) {
            if (d > MAX_DEPTH) {
                throw new SyntaxException("expression.tooDeep", peek() == null ? end() : peek().at, null);
            }
        }

        Node or(int d) {
            depth(d);
            Node left = and(d + 1);
            while (isWord("or") || isOp("||")) {
                pos++;
                Node l = left;
                Node r = and(d + 1);
                left = v -> bool(l.eval(v)) || bool(r.eval(v));
            }
            return left;
        }

        Node and(int d) {
            Node left = not(d + 1);
            while (isWord("and") || isOp("&&")) {
                pos++;
                Node l = left;
                Node r = not(d + 1);
                left = v -> bool(l.eval(v)) && bool(r.eval(v));
            }
            return left;
        }

        Node not(int d) {
            depth(d);
            if (isWord("not") || isOp("!")) {
                pos++;
                Node inner = not(d + 1);
                return v -> !bool(inner.eval(v));
            }
            return comparison(d + 1);
        }

        Node comparison(int d) {
            Node left = sum(d + 1);
            if (isOp("<", "<=", ">", ">=", "==", "!=")) {
                String op = tokens.get(pos++).text;
                Node right = sum(d + 1);
                return v -> compare(op, left.eval(v), right.eval(v));
            }
            if (isWord("in") || (isWord("not") && pos + 1 < tokens.size()
                    && tokens.get(pos + 1).kind == Kind.NAME && tokens.get(pos + 1).text.equalsIgnoreCase("in"))) {
                boolean negate = isWord("not");
                pos += negate ? 2 : 1;
                List<Object> options = list();
                return v -> {
                    Object x = left.eval(v);
                    boolean found = options.stream().anyMatch(o -> equal(x, o));
                    return negate != found;
                };
            }
            return left;
        }

        private List<Object> list() {
            expect(Kind.LPAREN);
            List<Object> out = new ArrayList<>();
            do {
                Token t = peek();
                if (t == null) {
                    throw new SyntaxException("expression.unexpectedEnd", end(), null);
                }
                pos++;
                switch (t.kind) {
                    case NUMBER -> out.add(number(t));
                    case STRING -> out.add(t.text);
                    default -> throw new SyntaxException("expression.listLiteral", t.at, t.text);
                }
            } while (peek() != null && peek().kind == Kind.COMMA && ++pos > 0);
            expect(Kind.RPAREN);
            return out;
        }

        Node sum(int d) {
            depth(d);
            Node left = term(d + 1);
            while (isOp("+", "-")) {
                String op = tokens.get(pos++).text;
                Node l = left;
                Node r = term(d + 1);
                left = v -> arithmetic(op, l.eval(v), r.eval(v));
            }
            return left;
        }

        Node term(int d) {
            Node left = unary(d + 1);
            while (isOp("*", "/")) {
                String op = tokens.get(pos++).text;
                Node l = left;
                Node r = unary(d + 1);
                left = v -> arithmetic(op, l.eval(v), r.eval(v));
            }
            return left;
        }

        Node unary(int d) {
            depth(d);
            if (isOp("-")) {
                pos++;
                Node inner = unary(d + 1);
                return v -> arithmetic("-", BigDecimal.ZERO, inner.eval(v));
            }
            return primary(d + 1);
        }

        Node primary(int d) {
            Token t = peek();
            if (t == null) {
                throw new SyntaxException("expression.unexpectedEnd", end(), null);
            }
            pos++;
            switch (t.kind) {
                case NUMBER -> {
                    BigDecimal n = number(t);
                    return v -> n;
                }
                case STRING -> {
                    String s = t.text;
                    return v -> s;
                }
                case LPAREN -> {
                    Node inner = or(d + 1);
                    expect(Kind.RPAREN);
                    return inner;
                }
                case NAME -> {
                    String name = t.text;
                    switch (name.toLowerCase(Locale.ROOT)) {
                        case "true" -> {
                            return v -> Boolean.TRUE;
                        }
                        case "false" -> {
                            return v -> Boolean.FALSE;
                        }
                        case "null" -> {
                            return v -> null;
                        }
                        default -> {
                        }
                    }
                    if (peek() != null && peek().kind == Kind.LPAREN) {
                        throw new SyntaxException("expression.noCalls", t.at, name);
                    }
                    if (!attributes.contains(name)) {
                        throw new SyntaxException("expression.unknownAttribute", t.at, name);
                    }
                    return v -> v.get(name);
                }
                default -> throw new SyntaxException("expression.unexpected", t.at, t.text);
            }
        }

        private void expect(Kind kind) {
            Token t = peek();
            if (t == null) {
                throw new SyntaxException("expression.unexpectedEnd", end(), null);
            }
            if (t.kind != kind) {
                throw new SyntaxException("expression.unexpected", t.at, t.text);
            }
            pos++;
        }

        private static BigDecimal number(Token t) {
            try {
                return new BigDecimal(t.text);
            } catch (NumberFormatException e) {
                throw new SyntaxException("expression.badNumber", t.at, t.text);
            }
        }
    }

    // ------------------------------------------------------------------ semantics

    private static boolean bool(Object o) {
        if (o instanceof Boolean b) {
            return b;
        }
        throw new EvaluationException("expression.notBoolean", String.valueOf(o));
    }

    private static BigDecimal num(Object o) {
        if (o instanceof BigDecimal b) {
            return b;
        }
        if (o instanceof Number n) {
            return new BigDecimal(n.toString());
        }
        if (o == null) {
            throw new EvaluationException("expression.missingValue", "null");
        }
        if (o instanceof String s) {
            try {
                return new BigDecimal(s.strip());
            } catch (NumberFormatException e) {
                throw new EvaluationException("expression.notNumber", s);
            }
        }
        throw new EvaluationException("expression.notNumber", String.valueOf(o));
    }

    private static Object arithmetic(String op, Object a, Object b) {
        BigDecimal x = num(a);
        BigDecimal y = num(b);
        return switch (op) {
            case "+" -> x.add(y);
            case "-" -> x.subtract(y);
            case "*" -> x.multiply(y);
            default -> {
                if (y.signum() == 0) {
                    throw new EvaluationException("expression.divisionByZero", null);
                }
                yield x.divide(y, MathContext.DECIMAL64);
            }
        };
    }

    private static boolean equal(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if ((a instanceof Number || a instanceof BigDecimal) && (b instanceof Number || b instanceof BigDecimal)) {
            return num(a).compareTo(num(b)) == 0;
        }
        if (a instanceof Boolean || b instanceof Boolean) {
            return String.valueOf(a).equalsIgnoreCase(String.valueOf(b));
        }
        if (a instanceof Number || b instanceof Number) {
            try {
                return num(a).compareTo(num(b)) == 0;
            } catch (EvaluationException e) {
                return false;
            }
        }
        return String.valueOf(a).equals(String.valueOf(b));
    }

    private static Object compare(String op, Object a, Object b) {
        if (op.equals("==")) {
            return equal(a, b);
        }
        if (op.equals("!=")) {
            return !equal(a, b);
        }
        int c = num(a).compareTo(num(b));
        return switch (op) {
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            default -> c >= 0;
        };
    }
}
