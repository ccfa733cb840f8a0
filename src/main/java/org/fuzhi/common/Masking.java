package org.fuzhi.common;

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
}
