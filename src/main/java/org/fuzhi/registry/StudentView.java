package org.fuzhi.registry;

import java.time.LocalDate;
import org.fuzhi.common.Gender;
import org.fuzhi.common.Masking;
import org.fuzhi.common.Stage;
import org.fuzhi.platform.Privacy;

/**
 * A student (person + current enrolment). The ID number is held masked; the full number is only
 * handed out through {@link Registry#unmaskIdNumber}, which is audited.
 */
public record StudentView(long id, String studentNoMasked, String name, String idNumberMasked, Gender gender,
                          LocalDate birthDate, String ethnicity, String schoolCode, String schoolName, Stage stage,
                          Integer grade, String className, boolean boarding, EnrolmentStatus status,
                          boolean outsideCounty, Long householdId, String householdNo, String householdRegionCode,
                          PovertyCategory povertyCategory, boolean registeredPoor, String relation,
                          boolean disability, boolean leftBehind, boolean singleParent, boolean orphan, int version) {

    public String maskedName() {
        return Masking.name(name);
    }

    /** The view this role may receive ({@link org.fuzhi.platform.Privacy}): names and birth dates as it allows. */
    public StudentView seenBy(Privacy p) {
        if (p.fullNames() && p.birthDates()) {
            return this;
        }
        return new StudentView(id, studentNoMasked, p.name(name), idNumberMasked, gender, p.birthDate(birthDate),
                ethnicity, schoolCode, schoolName, stage, grade, className, boarding, status, outsideCounty, householdId,
                householdNo, householdRegionCode, povertyCategory, registeredPoor, relation, disability, leftBehind,
                singleParent, orphan, version);
    }

    /** The view a role that may not unmask receives: name masked, birth date withheld. */
    public StudentView masked() {
        return new StudentView(id, studentNoMasked, Masking.name(name), idNumberMasked, gender, null, ethnicity,
                schoolCode, schoolName, stage, grade, className, boarding, status, outsideCounty, householdId,
                householdNo, householdRegionCode, povertyCategory, registeredPoor, relation, disability, leftBehind,
                singleParent, orphan, version);
    }
}
