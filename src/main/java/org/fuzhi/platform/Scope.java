package org.fuzhi.platform;

import java.io.Serializable;
import org.fuzhi.common.RegionCode;

/**
 * 数据范围 — what part of the county an account may see: a region (and everything below it), one school, or nothing.
 *
 * @param residenceOnly for children's data of a region scope: only children whose household lives in the region.
 *                      Village and township cadres answer for the families of their area, not for the pupils of the
 *                      schools that happen to stand there (a town's schools teach the whole county), so their scope
 *                      never widens by school location; a center's does, since it runs the schools of its region.
 */
public record Scope(Type type, String code, boolean residenceOnly) implements Serializable {

    public enum Type { REGION, SCHOOL, NONE }

    public static final Scope NONE = new Scope(Type.NONE, null, false);

    public Scope(Type type, String code) {
        this(type, code, false);
    }

    public static Scope region(String regionCode) {
        return new Scope(Type.REGION, regionCode);
    }

    public static Scope school(String schoolCode) {
        return new Scope(Type.SCHOOL, schoolCode);
    }

    /** The same scope restricted to children who live inside it (see {@link #residenceOnly}). */
    public Scope byResidence() {
        return new Scope(type, code, true);
    }

    /** The significant prefix of the region code, or null when this is not a region scope. */
    public String regionPrefix() {
        return type == Type.REGION ? new RegionCode(code).prefix() : null;
    }

    /** The smallest 12-digit region code inside this region scope: the scope is the range lowest..highest. */
    public String lowestRegion() {
        return pad('0');
    }

    /** The largest 12-digit region code inside this region scope. */
    public String highestRegion() {
        return pad('9');
    }

    private String pad(char fill) {
        StringBuilder sb = new StringBuilder(12).append(regionPrefix());
        while (sb.length() < 12) {
            sb.append(fill);
        }
        return sb.toString();
    }

    public boolean containsRegion(String regionCode) {
        return type == Type.REGION && regionCode != null && regionCode.startsWith(regionPrefix());
    }

    @Override
    public String toString() {
        return type == Type.NONE ? "NONE" : type + ":" + code;
    }
}
