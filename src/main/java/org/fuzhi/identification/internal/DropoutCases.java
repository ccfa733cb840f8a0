package org.fuzhi.identification.internal;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.fuzhi.common.Masking;
import org.fuzhi.common.Page;
import org.fuzhi.common.RegionCode;
import org.fuzhi.identification.Cases;
import org.fuzhi.identification.SchoolAgeCheck;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Privacy;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.ScopeFilter;
import org.fuzhi.platform.StaleEditException;
import org.fuzhi.region.Directory;
import org.fuzhi.registry.EnrolmentStatus;
import org.fuzhi.registry.Registry;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class DropoutCases implements Cases {

    private final JdbcClient jdbc;
    private final DropoutCheck check;
    private final Registry registry;
    private final Directory directory;
    private final AuditLog audit;
    private final Clock clock;

    DropoutCases(JdbcClient jdbc, DropoutCheck check, Registry registry, Directory directory, AuditLog audit,
                 Optional<Clock> clock) {
        this.jdbc = jdbc;
        this.check = check;
        this.registry = registry;
        this.directory = directory;
        this.audit = audit;
        this.clock = clock.orElse(Clock.system(RoundService.ZONE));
    }

    private LocalDate today() {
        return LocalDate.now(clock.withZone(RoundService.ZONE));
    }

    /** Opens a 疑似辍学 case for each school-age roster child of the scope not in school who has no open case. */
    long openSuspected(Scope scope, long roundId) {
        long opened = 0;
        // Open cases are few; one read instead of a look-up per child (a province has ~1M school-age roster children).
        // Keyed by the child, not by the roster line: a re-imported roster gives the same child a new line.
        Set<String> open = new HashSet<>(jdbc.sql("SELECT open_key FROM dropout_case WHERE open_key IS NOT NULL")
                .query(String.class).list());
        for (DropoutCheck.Child c : check.schoolAgeChildren(scope)) {
            String key = openKey(c);
            if (c.reason() == null || !open.add(key)) {
                continue;
            }
            jdbc.sql("""
                    INSERT INTO dropout_case (roster_member_id, person_id, name, village_code, birth_date, status,
                                              found_reason, opened_round_id, opened_at, open_key)
                    VALUES (:m, :p, :n, :v, :b, 'SUSPECTED', :r, :round, :now, :key)""")
                    .param("key", key)
                    .param("m", c.rosterMemberId()).param("p", c.personId()).param("n", c.name())
                    .param("v", c.villageCode()).param("b", Date.valueOf(c.birthDate()))
                    .param("r", c.reason()).param("round", roundId).param("now", Timestamp.from(clock.instant()))
                    .update();
            opened++;
        }
        return opened;
    }

    /** The registry person when the child is linked, else the roster family, name and birth date. */
    static String openKey(DropoutCheck.Child c) {
        return c.personId() != null ? "P:" + c.personId()
                : "H:" + c.householdNo() + ":" + c.name() + ":" + c.birthDate();
    }

    long openCount(Scope userScope, String roundScope) {
        ScopeFilter f = ScopeFilter.of(userScope, null, "c.village_code");
        return jdbc.sql("SELECT COUNT(*) FROM dropout_case c WHERE c.status <> 'CLOSED' AND c.village_code LIKE :p AND "
                        + f.sql()).params(f.params())
                .param("p", new RegionCode(roundScope).prefix() + "%").query(Long.class).single();
    }

    private static boolean mayAct(Role role) {
        return role == Role.CENTER || role == Role.TOWNSHIP || role == Role.VILLAGE;
    }

    private static boolean maskNames(CurrentUser user) {
        return !Privacy.of(user).fullNames();
    }

    @Override
    @Transactional // the register lists children: reading it is audited
    public List<SchoolAgeChild> schoolAgeRegister(CurrentUser user) {
        user.require(DropoutCheck.mayRead(user.role()));
        Map<Long, Long> openCase = new HashMap<>();
        ScopeFilter f = ScopeFilter.of(user.childDataScope(), null, "c.village_code");
        jdbc.sql("SELECT c.id, c.roster_member_id FROM dropout_case c WHERE c.status <> 'CLOSED' AND " + f.sql())
                .params(f.params()).query(rs -> {
                    openCase.put(rs.getLong("roster_member_id"), rs.getLong("id"));
                });
        boolean mask = maskNames(user);
        List<SchoolAgeChild> out = new ArrayList<>();
        // A village with its township (12 townships have a 向阳村).
        UnitNames names = new UnitNames(directory);
        for (DropoutCheck.Child c : check.schoolAgeChildren(user.childDataScope())) {
            String status = c.reason() == null ? "IN_SCHOOL" : c.reason();
            String village = names.place(c.villageCode());
            out.add(new SchoolAgeChild(c.rosterMemberId(), mask ? Masking.name(c.name()) : c.name(), c.householdNo(),
                    c.villageCode(), village, c.age(), status, openCase.get(c.rosterMemberId())));
        }
        audit.record("READ_SCHOOL_AGE_REGISTER", "roster", null, Map.of("rows", out.size()));
        return out;
    }

    @Override
    @Transactional
    public Page<CaseView> cases(CurrentUser user, Status status, int page, int size) {
        user.require(DropoutCheck.mayRead(user.role()));
        ScopeFilter f = ScopeFilter.of(user.childDataScope(), null, "c.village_code");
        String where = " FROM dropout_case c WHERE " + f.sql() + (status == null ? "" : " AND c.status = :st");
        Map<String, Object> params = new HashMap<>(f.params());
        if (status != null) {
            params.put("st", status.name());
        }
        long total = jdbc.sql("SELECT COUNT(*)" + where).params(params).query(Long.class).single();
        List<CaseView> items = jdbc.sql("""
                        SELECT c.*, (SELECT COUNT(*) FROM dropout_visit v WHERE v.case_id = c.id) AS visits""" + where
                        + " ORDER BY c.village_code, c.id LIMIT :lim OFFSET :off")
                .params(params).param("lim", size).param("off", (long) page * size)
                .query((rs, n) -> view(rs, user)).list();
        audit.record("READ_DROPOUT_CASES", "dropout-case", null,
                Map.of("status", status == null ? "ALL" : status.name(), "rows", items.size()));
        return new Page<>(items, total, page, size);
    }

    private CaseView view(ResultSet rs, CurrentUser user) throws SQLException {
        boolean mask = maskNames(user);
        LocalDate birth = rs.getDate("birth_date").toLocalDate();
        String village = rs.getString("village_code");
        Timestamp closed = rs.getTimestamp("closed_at");
        return new CaseView(rs.getLong("id"), mask ? Masking.name(rs.getString("name")) : rs.getString("name"),
                village, new UnitNames(directory).place(village), Privacy.of(user).birthDate(birth),
                Period.between(birth, SchoolAgeCheck.schoolYearStart(today())).getYears(),
                Status.valueOf(rs.getString("status")), rs.getString("found_reason"), rs.getString("close_reason"),
                rs.getString("close_note"), rs.getInt("visits"), rs.getTimestamp("opened_at").toInstant(),
                closed == null ? null : closed.toInstant(), rs.getInt("version"));
    }

    private CaseView load(CurrentUser user, long id) {
        boolean exists = jdbc.sql("SELECT COUNT(*) FROM dropout_case WHERE id = :id").param("id", id)
                .query(Long.class).single() > 0;
        if (!exists) {
            throw new NotFoundException("case");
        }
        ScopeFilter f = ScopeFilter.of(user.childDataScope(), null, "c.village_code");
        return jdbc.sql("""
                        SELECT c.*, (SELECT COUNT(*) FROM dropout_visit v WHERE v.case_id = c.id) AS visits
                        FROM dropout_case c WHERE c.id = :id AND""" + " " + f.sql())
                .params(f.params()).param("id", id).query((rs, n) -> view(rs, user)).optional()
                .orElseThrow(() -> new AccessDeniedException("case outside scope"));
    }

    @Override
    @Transactional
    public CaseDetail detail(CurrentUser user, long caseId) {
        user.require(DropoutCheck.mayRead(user.role()));
        CaseView c = load(user, caseId);
        List<VisitView> visits = jdbc.sql("SELECT * FROM dropout_visit WHERE case_id = :c ORDER BY visited_on, id")
                .param("c", caseId).query((rs, n) -> new VisitView(rs.getDate("visited_on").toLocalDate(),
                        rs.getString("visitors"), rs.getString("notes"), VisitOutcome.valueOf(rs.getString("outcome")),
                        rs.getString("recorded_by"), rs.getTimestamp("recorded_at").toInstant())).list();
        audit.record("READ_DROPOUT_CASE", "dropout-case", String.valueOf(caseId), Map.of());
        return new CaseDetail(c, visits);
    }

    @Override
    @Transactional
    public CaseView confirmDropout(CurrentUser user, long caseId, int expectedVersion) {
        user.require(mayAct(user.role()));
        CaseView c = load(user, caseId);
        if (c.status() != Status.SUSPECTED) {
            throw new RuleViolationException("case.rule.confirmOnlySuspected");
        }
        bump(caseId, expectedVersion, "status = 'DROPOUT'", Map.of());
        audit.record("CASE_CONFIRM_DROPOUT", "dropout-case", String.valueOf(caseId), Map.of());
        return load(user, caseId);
    }

    @Override
    @Transactional
    public CaseView logVisit(CurrentUser user, long caseId, int expectedVersion, NewVisit v) {
        user.require(mayAct(user.role()));
        CaseView c = load(user, caseId);
        if (c.status() == Status.CLOSED) {
            throw new RuleViolationException("case.rule.closed");
        }
        if (v.visitedOn() == null) {
            throw new RuleViolationException("case.rule.visitDate");
        }
        if (v.visitedOn().isAfter(today())) {
            throw new RuleViolationException("case.rule.visitFuture");
        }
        String visitors = v.visitors() == null ? "" : v.visitors().strip();
        String notes = v.notes() == null ? "" : v.notes().strip();
        if (visitors.isEmpty() || visitors.length() > 200) {
            throw new RuleViolationException("case.rule.visitors");
        }
        if (notes.isEmpty() || notes.length() > 1000) {
            throw new RuleViolationException("case.rule.notes");
        }
        if (v.outcome() == null) {
            throw new RuleViolationException("case.rule.outcome");
        }
        // The case version moves with every visit so two people logging at once both see the other's entry.
        bump(caseId, expectedVersion, null, Map.of());
        jdbc.sql("""
                INSERT INTO dropout_visit (case_id, visited_on, visitors, notes, outcome, recorded_by, recorded_at)
                VALUES (:c, :d, :vs, :n, :o, :u, :now)""").param("c", caseId)
                .param("d", Date.valueOf(v.visitedOn())).param("vs", visitors).param("n", notes)
                .param("o", v.outcome().name()).param("u", user.username())
                .param("now", Timestamp.from(clock.instant())).update();
        audit.record("CASE_VISIT", "dropout-case", String.valueOf(caseId),
                Map.of("visitedOn", v.visitedOn().toString(), "outcome", v.outcome().name()));
        return load(user, caseId);
    }

    @Override
    @Transactional
    public CaseView close(CurrentUser user, long caseId, int expectedVersion, CloseReason reason, String note) {
        user.require(mayAct(user.role()));
        CaseView c = load(user, caseId);
        if (c.status() == Status.CLOSED) {
            throw new RuleViolationException("case.rule.closed");
        }
        if (reason == null) {
            throw new RuleViolationException("case.rule.closeReason");
        }
        String text = note == null ? "" : note.strip();
        if (text.length() > 500) {
            throw new RuleViolationException("case.rule.noteLength");
        }
        switch (reason) {
            case EXEMPT -> {
                if (text.isEmpty()) {
                    throw new RuleViolationException("case.rule.exemptNote");
                }
            }
            case FOUND_IN_SCHOOL, BACK_IN_SCHOOL -> {
                if (reason == CloseReason.FOUND_IN_SCHOOL && c.status() == Status.DROPOUT) {
                    throw new RuleViolationException("case.rule.foundAfterConfirm");
                }
                if (!inSchool(caseId)) {
                    throw new RuleViolationException("case.rule.notInSchool");
                }
            }
        }
        bump(caseId, expectedVersion, "status = 'CLOSED', open_key = NULL, close_reason = :r, close_note = :n, closed_at = :now, "
                + "closed_by = :u", Map.of("r", reason.name(), "n", text, "now", Timestamp.from(clock.instant()),
                "u", user.username()));
        audit.record("CASE_CLOSE", "dropout-case", String.valueOf(caseId), Map.of("reason", reason.name()));
        return load(user, caseId);
    }

    /**
     * Whether the registry now shows the child 在读: via the roster link, or via the holder of the line's ID number
     * when that holder is the child — the same check the linkage makes (a sibling's or parent's number on the line
     * must not close the child's case because the sibling is in school).
     */
    private boolean inSchool(long caseId) {
        record Ref(Long linked, Linker.Member member) {
        }
        Ref ref = jdbc.sql("""
                SELECT l.person_id, r.id, r.name, r.id_index, r.gender, r.birth_date, r.village_code, r.household_no,
                       r.category, r.stated_birth_date, r.stated_gender
                FROM dropout_case c JOIN roster_member r ON r.id = c.roster_member_id
                LEFT JOIN roster_link l ON l.roster_member_id = r.id AND l.status = 'LINKED' WHERE c.id = :id""")
                .param("id", caseId).query((rs, n) -> new Ref((Long) rs.getObject("person_id", Long.class),
                        new Linker.Member(rs.getLong("id"), rs.getString("name"), null, rs.getString("id_index"),
                                rs.getString("gender"), localDate(rs.getDate("birth_date")),
                                rs.getString("village_code"), rs.getString("household_no"), rs.getString("category"),
                                localDate(rs.getDate("stated_birth_date")), rs.getString("stated_gender"))))
                .single();
        List<Long> persons = new ArrayList<>();
        if (ref.linked() != null) {
            persons.add(ref.linked());
        }
        String index = ref.member().idIndex();
        if (index != null) {
            Registry.IdOwner holder = registry.idOwnersByIndex(List.of(index.strip())).get(index.strip());
            if (holder != null && LinkDecisions.contradiction(ref.member(), holder) == null) {
                persons.add(holder.personId());
            }
        }
        return registry.enrolmentStatusOf(persons).values().stream().anyMatch(s -> s == EnrolmentStatus.IN_SCHOOL);
    }

    private static LocalDate localDate(Date d) {
        return d == null ? null : d.toLocalDate();
    }

    private void bump(long id, int expectedVersion, String set, Map<String, Object> params) {
        int n = jdbc.sql("UPDATE dropout_case SET " + (set == null ? "" : set + ", ")
                        + "version = version + 1 WHERE id = :id AND version = :v")
                .params(params).param("id", id).param("v", expectedVersion).update();
        if (n == 0) {
            throw new StaleEditException("case");
        }
    }
}
