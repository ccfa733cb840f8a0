package org.fuzhi.supervision;

import java.util.Map;

/** The figures a county reports upward (SPEC §4), for one scope. */
public record Overview(RegisteredPoor registeredPoorStudents, long keyPoorVillages, Map<String, Long> keyVillageSchools,
                       long keyVillageTeachers, long studentsInSchool, long households, long rosterHouseholds,
                       Map<String, Long> schoolGroups) {

    public record RegisteredPoor(long total, Map<String, Long> byStage) {
    }
}
