package org.fuzhi.identification;

import java.time.LocalDate;
import java.time.Period;
import java.util.List;
import org.fuzhi.platform.CurrentUser;

/**
 * 控辍保学 — school-age members of roster households who are not in school: linked to a person with no
 * enrolment or an enrolment that is not 在读, or not found in the registry at all. This is the suspected-dropout
 * list that persuasion work starts from (the case workflow with visits follows).
 */
public interface SchoolAgeCheck {

    List<Suspect> suspectedDropouts(CurrentUser user);

    /** Compulsory-education age on the first day of the school year: 6 to 15. */
    static boolean compulsoryAge(LocalDate birth, LocalDate schoolYearStart) {
        if (birth == null) {
            return false;
        }
        int age = Period.between(birth, schoolYearStart).getYears();
        return age >= 6 && age <= 15;
    }

    /** The 1 September that starts the current school year. */
    static LocalDate schoolYearStart(LocalDate today) {
        LocalDate sep1 = LocalDate.of(today.getYear(), 9, 1);
        return today.isBefore(sep1) ? sep1.minusYears(1) : sep1;
    }

    /**
     * @param reason NOT_ENROLLED (person known, no enrolment), NOT_IN_SCHOOL (enrolment status in
     *               {@code status}) or NOT_FOUND (no registry person linked)
     */
    record Suspect(long rosterMemberId, String name, String householdNo, String villageCode, LocalDate birthDate,
                   int age, String reason, String status) {
    }
}
