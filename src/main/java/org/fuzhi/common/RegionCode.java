package org.fuzhi.common;

/**
 * 统计用区划代码 — a 12-digit statistical division code (2 province + 2 city + 2 county + 3 township + 3 village).
 * The significant prefix doubles as the materialized path used for scoping: everything inside a county
 * has a code that starts with the county's six digits.
 */
public record RegionCode(String value) {

    public enum Level { PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE }

    public RegionCode {
        if (!isValid(value)) {
            throw new IllegalArgumentException("region code must have 12 digits");
        }
    }

    public static boolean isValid(String s) {
        return s != null && s.length() == 12 && s.chars().allMatch(Character::isDigit) && !s.startsWith("00");
    }

    public Level level() {
        if (value.substring(2).chars().allMatch(c -> c == '0')) {
            return Level.PROVINCE;
        }
        if (value.substring(4).chars().allMatch(c -> c == '0')) {
            return Level.CITY;
        }
        if (value.substring(6).chars().allMatch(c -> c == '0')) {
            return Level.COUNTY;
        }
        if (value.substring(9).chars().allMatch(c -> c == '0')) {
            return Level.TOWNSHIP;
        }
        return Level.VILLAGE;
    }

    /** The significant digits: 2, 4, 6, 9 or 12 of them. */
    public String prefix() {
        return switch (level()) {
            case PROVINCE -> value.substring(0, 2);
            case CITY -> value.substring(0, 4);
            case COUNTY -> value.substring(0, 6);
            case TOWNSHIP -> value.substring(0, 9);
            case VILLAGE -> value;
        };
    }

    /** The code of the enclosing division, or null for a province. */
    public String parentCode() {
        String p = prefix();
        return switch (level()) {
            case PROVINCE -> null;
            case CITY -> pad(p.substring(0, 2));
            case COUNTY -> pad(p.substring(0, 4));
            case TOWNSHIP -> pad(p.substring(0, 6));
            case VILLAGE -> pad(p.substring(0, 9));
        };
    }

    private static String pad(String prefix) {
        return (prefix + "000000000000").substring(0, 12);
    }

    public boolean contains(String otherCode) {
        return otherCode != null && otherCode.startsWith(prefix());
    }
}
