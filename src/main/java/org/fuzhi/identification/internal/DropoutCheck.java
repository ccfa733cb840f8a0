package org.fuzhi.identification.internal;

import java.sql.Date;
import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.fuzhi.common.Masking;
import org.fuzhi.identification.SchoolAgeCheck;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Privacy;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.ScopeFilter;
import org.fuzhi.registry.EnrolmentStatus;
import org.fuzhi.registry.Registry;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class DropoutCheck implements SchoolAgeCheck {

    private final JdbcClient jdbc;
    private final Registry registry;
    private final AuditLog audit;

    DropoutCheck(JdbcClient jdbc, Registry registry, AuditLog audit) {
        this.jdbc = jdbc;
        this.registry = registry;
        this.audit = audit;
    }

    /**
     * A school-age roster child and what the registry says about them.
     *
     * @param reason null when the child is in school, else NOT_FOUND, NOT_ENROLLED or NOT_IN_SCHOOL
     */
    record Child(long rosterMemberId, String name, String householdNo, String villageCode, LocalDate birthDate,
                 int age, Long personId, String reason, EnrolmentStatus status) {
    }

    static boolean mayRead(Role role) {
        return role == Role.CENTER || role == Role.TOWNSHIP || role == Role.VILLAGE || role == Role.LEADER
                || role == Role.EVALUATOR;
    }

    /** Every current roster member of compulsory-education age in the scope, with their school status. */
    List<Child> schoolAgeChildren(Scope scope) {
        LocalDate start = SchoolAgeCheck.schoolYearStart(LocalDate.now(RoundService.ZONE));
        ScopeFilter f = ScopeFilter.of(scope, null, "r.village_code");
        record Row(long id, String name, String householdNo, String village, LocalDate birth, Long personId) {
        }
        List<Row> rows = new ArrayList<>();
        jdbc.sql("""
                SELECT r.id, r.name, r.household_no, r.village_code, r.birth_date, l.person_id
                FROM roster_member r LEFT JOIN roster_link l ON l.roster_member_id = r.id AND l.status = 'LINKED'
                WHERE r.is_current AND r.birth_date BETWEEN :from AND :to AND""" + " " + f.sql()
                        + " ORDER BY r.village_code, r.household_no, r.id")
                .params(f.params()).param("from", Date.valueOf(start.minusYears(16).plusDays(1)))
                .param("to", Date.valueOf(start.minusYears(6)))
                .query(rs -> {
                    long pid = rs.getLong("person_id");
                    // wasNull() speaks of the last column read: ask it before reading another one.
                    Long personId = rs.wasNull() ? null : pid;
                    rows.add(new Row(rs.getLong("id"), rs.getString("name"), rs.getString("household_no"),
                            rs.getString("village_code"), rs.getDate("birth_date").toLocalDate(), personId));
                });
        Map<Long, EnrolmentStatus> status = registry.enrolmentStatusOf(rows.stream().map(Row::personId)
                .filter(Objects::nonNull).toList());
        List<Child> out = new ArrayList<>();
        for (Row r : rows) {
            if (!SchoolAgeCheck.compulsoryAge(r.birth(), start)) {
                continue;
            }
            EnrolmentStatus s = r.personId() == null ? null : status.get(r.personId());
            String reason;
            if (r.personId() == null) {
                reason = "NOT_FOUND";
            } else if (s == null) {
                reason = "NOT_ENROLLED";
            } else if (s != EnrolmentStatus.IN_SCHOOL && s != EnrolmentStatus.GRADUATED) {
                reason = "NOT_IN_SCHOOL";
            } else {
                reason = null;
            }
            out.add(new Child(r.id(), r.name(), r.householdNo(), r.village(), r.birth(),
                    Period.between(r.birth(), start).getYears(), r.personId(), reason, s));
        }
        return out;
    }

    @Override
    @Transactional // not read-only: reading this list of children is itself recorded in the audit log
    public List<Suspect> suspectedDropouts(CurrentUser user) {
        user.require(mayRead(user.role()));
        boolean maskNames = !Privacy.of(user).fullNames();
        List<Suspect> out = new ArrayList<>();
        for (Child c : schoolAgeChildren(user.childDataScope())) {
            if (c.reason() != null) {
                out.add(new Suspect(c.rosterMemberId(), maskNames ? Masking.name(c.name()) : c.name(), c.householdNo(),
                        c.villageCode(), Privacy.of(user).birthDate(c.birthDate()), c.age(), c.reason(), c.status() == null ? null : c.status().name()));
            }
        }
        audit.record("READ_SUSPECTED_DROPOUTS", "roster", null, Map.of("rows", out.size()));
        return out;
    }
}
