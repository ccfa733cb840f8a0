package org.fuzhi.registry;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.fuzhi.common.Gender;

/** 户 — a household with its members. */
public record HouseholdView(long id, String householdNo, String regionCode, String headName,
                            PovertyCategory povertyCategory, boolean onRoster, Integer identifiedYear,
                            Integer exitedYear, BigDecimal incomePerHead, Boolean housingSafe, int memberCount,
                            int version, List<Member> members) {

    public record Member(long personId, String name, String idNumberMasked, Gender gender, LocalDate birthDate,
                         String relation, Long studentId, String schoolName, String stage) {
    }
}
