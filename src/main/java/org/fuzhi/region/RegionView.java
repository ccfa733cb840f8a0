package org.fuzhi.region;

/** A division as other modules and the UI see it. */
public record RegionView(String code, String name, String level, String parentCode, boolean keyPoorVillage,
                         String urbanRuralClass, long childCount) {
}
