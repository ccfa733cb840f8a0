package org.fuzhi.platform;

import org.fuzhi.common.RegionCode;

/**
 * 数据范围 — what part of the county an account may see: a region (and everything below it), one school, or nothing.
 */
public record Scope(Type type, String code) {

    public enum Type { REGION, SCHOOL, NONE }

    public static final Scope NONE = new Scope(Type.NONE, null);

    public static Scope region(String regionCode) {
        return new Scope(Type.REGION, regionCode);
    }

    public static Scope school(String schoolCode) {
        return new Scope(Type.SCHOOL, schoolCode);
    }

    /** The significant prefix of the region code, or null when this is not a region scope. */
    public String regionPrefix() {
        return type == Type.REGION ? new RegionCode(code).prefix() : null;
    }

    public boolean containsRegion(String regionCode) {
        return type == Type.REGION && regionCode != null && regionCode.startsWith(regionPrefix());
    }

    @Override
    public String toString() {
        return type == Type.NONE ? "NONE" : type + ":" + code;
    }
}
