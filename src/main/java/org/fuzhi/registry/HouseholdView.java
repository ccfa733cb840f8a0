package org.fuzhi.registry;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.fuzhi.common.Gender;
import org.fuzhi.common.Masking;
import org.fuzhi.platform.Privacy;

/** 户 — a household with its members. */
public record HouseholdView(long id, String householdNo, String regionCode, String headName,
                            PovertyCategory povertyCategory, boolean onRoster, Integer identifiedYear,
                            Integer exitedYear, BigDecimal incomePerHead, Boolean housingSafe, int memberCount,
                            int version, List<Member> members) {

    /** The view this role may receive ({@link org.fuzhi.platform.Privacy}): names and birth dates as it allows. */
    public HouseholdView seenBy(Privacy p) {
        if (p.fullNames() && p.birthDates()) {
            return this;
        }
        return new HouseholdView(id, householdNo, regionCode, p.name(headName), povertyCategory, onRoster,
                identifiedYear, exitedYear, incomePerHead, housingSafe, memberCount, version,
                members.stream().map(m -> new Member(m.personId(), p.name(m.name()), m.idNumberMasked(), m.gender(),
                        p.birthDate(m.birthDate()), m.relation(), m.studentId(), m.schoolName(), m.stage())).toList());
    }

    /** The view a role that may not unmask receives: names masked, birth dates withheld. */
    public HouseholdView masked() {
        return new HouseholdView(id, householdNo, regionCode, Masking.name(headName), povertyCategory,
                onRoster, identifiedYear, exitedYear, incomePerHead, housingSafe, memberCount, version,
                members.stream().map(m -> new Member(m.personId(), Masking.name(m.name()),
                        m.idNumberMasked(), m.gender(), null, m.relation(), m.studentId(), m.schoolName(), m.stage()))
                        .toList());
    }

    public record Member(long personId, String name, String idNumberMasked, Gender gender, LocalDate birthDate,
                         String relation, Long studentId, String schoolName, String stage) {
    }
}
