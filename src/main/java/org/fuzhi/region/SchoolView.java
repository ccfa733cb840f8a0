package org.fuzhi.region;

import org.fuzhi.common.SchoolType;

/** A school as other modules and the UI see it. */
public record SchoolView(String code, String name, SchoolType type, String regionCode, String regionName,
                         String parentSchoolCode, boolean boarding, int teacherCount, boolean outOfCounty,
                         boolean keyPoorVillage, String location, int version) {
}
