package org.fuzhi.common;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks sensitive values for display: an ID keeps its first 4 and last 4 characters
 * ({@code 4211**********123X}), a name keeps its first and last character ({@code 张*明}).
 */
public final class Masking {

    private Masking() {
    }

    public static String idNumber(String id) {
        if (id == null || id.isEmpty()) {
            return "";
        }
        if (id.length() <= 8) {
            return "*".repeat(id.length());
        }
        return id.substring(0, 4) + "*".repeat(id.length() - 8) + id.substring(id.length() - 4);
    }

    public static String name(String name) {
        if (name == null || name.isEmpty()) {
            return "";
        }
        int n = name.codePointCount(0, name.length());
        if (n == 1) {
            return name;
        }
        int firstEnd = name.offsetByCodePoints(0, 1);
        if (n == 2) {
            return name.substring(0, firstEnd) + "*";
        }
        int lastStart = name.offsetByCodePoints(0, n - 1);
        return name.substring(0, firstEnd) + "*".repeat(n - 2) + name.substring(lastStart);
    }

    /** 学籍号: the G-form embeds the ID number, so it is masked the same way. */
    public static String studentNo(String no) {
        return idNumber(no);
    }

    /**
     * Anything an ID number (18 or legacy 15 digits), a 学籍号 or a bank card could be, in the forms people type:
     * full-width digits, spaces or hyphens between the digits, a lower-case or full-width X.
     */
    private static final Pattern ID_LIKE = Pattern.compile(
            "(?<![0-9\\uFF10-\\uFF19])[GJLgjl]?[0-9\\uFF10-\\uFF19](?:[ \\u3000-]?[0-9\\uFF10-\\uFF19]){13,17}"
                    + "(?:[ \\u3000-]?[0-9\\uFF10-\\uFF19Xx\\uFF38\\uFF58])(?![0-9\\uFF10-\\uFF19])");

    /**
     * The text with every ID-like number in it masked ({@link #idNumber}): for what is written down for later — the
     * audit log, the application log — where a full number must never land, whatever form it was typed in.
     */
    public static String redactIdNumbers(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        var m = ID_LIKE.matcher(text);
        if (!m.find()) {
            return text;
        }
        return m.replaceAll(r -> Matcher.quoteReplacement(idNumber(compact(r.group()))));
    }

    /** The digits of a matched number without separators, full-width characters made half-width. */
    private static String compact(String typed) {
        StringBuilder sb = new StringBuilder(typed.length());
        typed.codePoints().forEach(c -> {
            if (c >= 0xFF10 && c <= 0xFF19) {
                sb.append((char) ('0' + (c - 0xFF10)));
            } else if (c == 0xFF38 || c == 0xFF58) {
                sb.append('X');
            } else if (c != ' ' && c != 0x3000 && c != '-') {
                sb.append((char) c);
            }
        });
        return sb.toString();
    }
}
