package org.fuzhi.identification.internal;

import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fuzhi.common.Masking;
import org.fuzhi.identification.SchoolAgeCheck;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Role;
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

    private record Row(long id, String name, String householdNo, String village, LocalDate birth, Long personId) {
    }

    @Override
    @Transactional // not read-only: reading this list of children is itself recorded in the audit log
    public List<Suspect> suspectedDropouts(CurrentUser user) {
        user.require(user.role() == Role.CENTER || user.role() == Role.TOWNSHIP || user.role() == Role.VILLAGE
                || user.role() == Role.LEADER || user.role() == Role.EVALUATOR);
        LocalDate start = SchoolAgeCheck.schoolYearStart(LocalDate.now(java.time.ZoneId.of("Asia/Shanghai")));
        ScopeFilter f = ScopeFilter.of(user.childDataScope(), null, "r.village_code");
        List<Row> rows = new ArrayList<>();
        jdbc.sql("""
                SELECT r.id, r.name, r.household_no, r.village_code, r.birth_date, l.person_id
                FROM roster_member r LEFT JOIN roster_link l ON l.roster_member_id = r.id AND l.status = 'LINKED'
                WHERE r.is_current AND r.birth_date BETWEEN :from AND :to AND""" + " " + f.sql() + " ORDER BY r.village_code, r.household_no")
                .params(f.params()).param("from", java.sql.Date.valueOf(start.minusYears(16).plusDays(1)))
                .param("to", java.sql.Date.valueOf(start.minusYears(6)))
                .query(rs -> {
                    long pid = rs.getLong("person_id");
                    rows.add(new Row(rs.getLong("id"), rs.getString("name"), rs.getString("household_no"),
                            rs.getString("village_code"), rs.getDate("birth_date").toLocalDate(),
                            rs.wasNull() ? null : pid));
                });
        Map<Long, EnrolmentStatus> status = registry.enrolmentStatusOf(rows.stream().map(Row::personId)
                .filter(java.util.Objects::nonNull).toList());
        boolean maskNames = !user.role().mayUnmask() && user.role() != Role.VILLAGE && user.role() != Role.TOWNSHIP;
        List<Suspect> out = new ArrayList<>();
        for (Row r : rows) {
            if (!SchoolAgeCheck.compulsoryAge(r.birth(), start)) {
                continue;
            }
            String reason;
            EnrolmentStatus s = r.personId() == null ? null : status.get(r.personId());
            if (r.personId() == null) {
                reason = "NOT_FOUND";
            } else if (s == null) {
                reason = "NOT_ENROLLED";
            } else if (s != EnrolmentStatus.IN_SCHOOL && s != EnrolmentStatus.GRADUATED) {
                reason = "NOT_IN_SCHOOL";
            } else {
                continue;
            }
            out.add(new Suspect(r.id(), maskNames ? Masking.name(r.name()) : r.name(), r.householdNo(), r.village(),
                    r.birth(), Period.between(r.birth(), start).getYears(), reason, s == null ? null : s.name()));
        }
        audit.record("READ_SUSPECTED_DROPOUTS", "roster", null, Map.of("rows", out.size()));
        return out;
    }
}
