package org.fuzhi.identification.internal;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.fuzhi.identification.Rounds;
import org.fuzhi.identification.Surveys;
import org.fuzhi.platform.Accounts;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Privacy;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.fuzhi.region.Directory;
import org.fuzhi.region.SchoolView;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The village survey's checklist. Kept apart from the round's run and workflow ({@link RoundService}): it reads the
 * round's entries of one village and writes only its own two tables; the workflow asks it how many children are
 * still unchecked before a village may submit.
 */
@Service
class SurveyChecklist implements Surveys {

    private static final int NOTE_MAX = 500;

    private final JdbcClient jdbc;
    private final Directory directory;
    private final AuditLog audit;
    private final Clock clock;
    private final Accounts accounts;

    SurveyChecklist(JdbcClient jdbc, Directory directory, AuditLog audit, Optional<Clock> clock,
                    Accounts accounts) {
        this.accounts = accounts;
        this.jdbc = jdbc;
        this.directory = directory;
        this.audit = audit;
        this.clock = clock.orElse(Clock.system(RoundService.ZONE));
    }

    /** A survey task as this class needs it. */
    private record Task(long id, long roundId, String roundName, String stage, String village,
                        Rounds.TaskStatus status, int version) {
    }

    private Task task(long taskId) {
        return jdbc.sql("""
                        SELECT t.id, t.round_id, r.name, r.stage, t.unit_code, t.status, t.version, t.step
                        FROM ident_task t JOIN ident_round r ON r.id = t.round_id WHERE t.id = :id""")
                .param("id", taskId)
                .query((rs, n) -> "SURVEY".equals(rs.getString("step")) ? new Task(rs.getLong(1), rs.getLong(2),
                        rs.getString(3), rs.getString(4), rs.getString(5).strip(),
                        Rounds.TaskStatus.valueOf(rs.getString(6)), rs.getInt(7)) : null)
                .optional().orElseThrow(() -> new NotFoundException("task"));
    }

    /**
     * Who reads a village's checklist: the village itself, and the township, county and above whose area holds it
     * (names as their role shows them). Schools confirm their own pupils, not a village's list.
     */
    private static void requireReader(CurrentUser user, Task t) {
        boolean regionRole = switch (user.role()) {
            case VILLAGE, TOWNSHIP, CENTER, LEADER, EVALUATOR -> true;
            default -> false;
        };
        if (!regionRole || user.scope().type() != Scope.Type.REGION || !user.scope().containsRegion(t.village())) {
            throw new AccessDeniedException("survey of a village outside the user's area");
        }
    }

    /** Only the village writes its checklist, and only while its survey is open. */
    private static boolean mayEdit(CurrentUser user, Task t) {
        return user.role() == Role.VILLAGE && user.scope().type() == Scope.Type.REGION
                && user.scope().containsRegion(t.village()) && "VERIFYING".equals(t.stage())
                && t.status() != Rounds.TaskStatus.DONE;
    }

    private Task editable(CurrentUser user, long taskId) {
        Task t = task(taskId);
        requireReader(user, t);
        if (user.role() != Role.VILLAGE) {
            throw new AccessDeniedException("only the village checks its list");
        }
        if (!"VERIFYING".equals(t.stage())) {
            throw new RuleViolationException("FINAL".equals(t.stage()) ? "round.rule.locked" : "round.rule.inNotice");
        }
        if (t.status() == Rounds.TaskStatus.DONE) {
            throw new RuleViolationException("survey.rule.submitted");
        }
        return t;
    }

    @Override
    @Transactional(readOnly = true)
    public Checklist checklist(CurrentUser user, Rounds.TaskId taskIdRef, Show show) {
        long taskId = taskIdRef.value();
        Task t = task(taskId);
        requireReader(user, t);
        Privacy privacy = Privacy.of(user);
        Map<String, String> schools = new HashMap<>();
        long[] counts = new long[3]; // total, checked, flagged
        List<Child> children = new ArrayList<>();
        jdbc.sql("""
                        SELECT x.student_id, x.name, x.school_code, x.stage, x.grade, x.level, x.source,
                               c.mark, c.note, c.checked_by, c.checked_at
                        FROM ident_entry x
                        LEFT JOIN survey_check c ON c.round_id = x.round_id AND c.person_id = x.person_id
                        WHERE x.round_id = :r AND x.village_code = :v
                        ORDER BY x.school_code, x.stage, x.grade, x.name, x.person_id""")
                .param("r", t.roundId()).param("v", t.village()).query(rs -> {
                    Mark mark = rs.getString("mark") == null ? null : Mark.valueOf(rs.getString("mark"));
                    counts[0]++;
                    if (mark != null) {
                        counts[1]++;
                        if (mark.flagged()) {
                            counts[2]++;
                        }
                    }
                    boolean shown = switch (show == null ? Show.ALL : show) {
                        case ALL -> true;
                        case TODO -> mark == null;
                        case FLAGGED -> mark != null && mark.flagged();
                    };
                    if (shown) {
                        String school = rs.getString("school_code");
                        Timestamp at = rs.getTimestamp("checked_at");
                        children.add(new Child(rs.getLong("student_id"), privacy.name(rs.getString("name")),
                                schools.computeIfAbsent(school, s -> directory.school(s).map(SchoolView::name)
                                        .orElse(s)), rs.getString("stage"),
                                (Integer) rs.getObject("grade", Integer.class), rs.getString("level"),
                                Rounds.Source.valueOf(rs.getString("source")), mark, rs.getString("note"),
                                rs.getString("checked_by"), at == null ? null : at.toInstant()));
                    }
                });
        List<Missing> missing = jdbc.sql("""
                        SELECT id, name, note, reported_by, reported_at FROM survey_missing
                        WHERE round_id = :r AND village_code = :v ORDER BY id""")
                .param("r", t.roundId()).param("v", t.village())
                .query((rs, n) -> new Missing(rs.getLong(1), privacy.name(rs.getString(2)), rs.getString(3),
                        rs.getString(4), rs.getTimestamp(5).toInstant())).list();
        // People by name, not by account: "光明村村委" rather than "cun-421182…".
        Set<String> who = new HashSet<>();
        children.forEach(c -> {
            if (c.checkedBy() != null) {
                who.add(c.checkedBy());
            }
        });
        missing.forEach(m -> who.add(m.reportedBy()));
        Map<String, String> names = who.isEmpty() ? Map.of() : accounts.displayNames(who);
        children.replaceAll(c -> c.checkedBy() == null ? c : new Child(c.studentId(), c.name(), c.schoolName(),
                c.stage(), c.grade(), c.level(), c.source(), c.mark(), c.note(),
                names.getOrDefault(c.checkedBy(), c.checkedBy()), c.checkedAt()));
        missing = missing.stream().map(m -> new Missing(m.id(), m.name(), m.note(),
                names.getOrDefault(m.reportedBy(), m.reportedBy()), m.reportedAt())).toList();
        boolean edit = mayEdit(user, t);
        return new Checklist(t.id(), t.roundId(), t.roundName(), t.village(),
                directory.placeNames(List.of(t.village())).get(t.village()), t.status(),
                t.version(), counts[0], counts[1], counts[2], children, missing, edit, edit && counts[0] == counts[1]);
    }

    @Override
    @Transactional
    public Child mark(CurrentUser user, Rounds.TaskId taskIdRef, long studentId, Mark mark, String note) {
        long taskId = taskIdRef.value();
        Task t = editable(user, taskId);
        if (mark == null) {
            throw new RuleViolationException("survey.rule.markRequired");
        }
        String why = note == null || note.isBlank() ? null : note.strip();
        if (mark.flagged() && why == null) {
            throw new RuleViolationException("survey.rule.reasonRequired");
        }
        if (why != null && why.length() > NOTE_MAX) {
            throw new RuleViolationException("survey.rule.noteLength", NOTE_MAX);
        }
        Long person = jdbc.sql("""
                        SELECT person_id FROM ident_entry WHERE round_id = :r AND village_code = :v AND student_id = :s""")
                .param("r", t.roundId()).param("v", t.village()).param("s", studentId).query(Long.class).optional()
                .orElseThrow(() -> new NotFoundException("student"));
        Timestamp now = Timestamp.from(clock.instant());
        int updated = jdbc.sql("""
                        UPDATE survey_check SET mark = :m, note = :n, checked_by = :u, checked_at = :at
                        WHERE round_id = :r AND person_id = :p""")
                .param("m", mark.name()).param("n", why).param("u", user.username()).param("at", now)
                .param("r", t.roundId()).param("p", person).update();
        if (updated == 0) {
            jdbc.sql("""
                            INSERT INTO survey_check (round_id, person_id, mark, note, checked_by, checked_at)
                            VALUES (:r, :p, :m, :n, :u, :at)""")
                    .param("m", mark.name()).param("n", why).param("u", user.username()).param("at", now)
                    .param("r", t.roundId()).param("p", person).update();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("mark", mark.name());
        if (why != null) {
            details.put("note", why);
        }
        audit.record("SURVEY_CHECK", "student", String.valueOf(studentId), details);
        return checklist(user, taskIdRef, Show.ALL).children().stream().filter(c -> c.studentId() == studentId)
                .findFirst().orElseThrow();
    }

    @Override
    @Transactional
    public int confirmRest(CurrentUser user, Rounds.TaskId taskIdRef) {
        long taskId = taskIdRef.value();
        Task t = editable(user, taskId);
        int n = jdbc.sql("""
                        INSERT INTO survey_check (round_id, person_id, mark, note, checked_by, checked_at)
                        SELECT x.round_id, x.person_id, 'CONFIRMED', NULL, :u, :at FROM ident_entry x
                        WHERE x.round_id = :r AND x.village_code = :v
                          AND NOT EXISTS (SELECT 1 FROM survey_check c
                                          WHERE c.round_id = x.round_id AND c.person_id = x.person_id)""")
                .param("u", user.username()).param("at", Timestamp.from(clock.instant()))
                .param("r", t.roundId()).param("v", t.village()).update();
        audit.record("SURVEY_CONFIRM_REST", "round", String.valueOf(t.roundId()),
                Map.of("unit", t.village(), "rows", n));
        return n;
    }

    @Override
    @Transactional
    public Missing reportMissing(CurrentUser user, Rounds.TaskId taskIdRef, String name, String note) {
        long taskId = taskIdRef.value();
        Task t = editable(user, taskId);
        String who = name == null ? "" : name.strip();
        String why = note == null ? "" : note.strip();
        if (who.isEmpty()) {
            throw new RuleViolationException("survey.rule.nameRequired");
        }
        if (who.length() > 50) {
            throw new RuleViolationException("survey.rule.nameLength");
        }
        if (why.isEmpty()) {
            throw new RuleViolationException("survey.rule.missingNoteRequired");
        }
        if (why.length() > NOTE_MAX) {
            throw new RuleViolationException("survey.rule.noteLength", NOTE_MAX);
        }
        Instant now = clock.instant();
        jdbc.sql("""
                        INSERT INTO survey_missing (round_id, village_code, name, note, reported_by, reported_at)
                        VALUES (:r, :v, :n, :note, :u, :at)""")
                .param("r", t.roundId()).param("v", t.village()).param("n", who).param("note", why)
                .param("u", user.username()).param("at", Timestamp.from(now)).update();
        audit.record("SURVEY_MISSING", "round", String.valueOf(t.roundId()), Map.of("unit", t.village()));
        return new Missing(0, who, why, user.username(), now);
    }

    /** Children of the survey task's village in the round without a check: what keeps the village from submitting. */
    long unchecked(long roundId, String village) {
        return jdbc.sql("""
                        SELECT COUNT(*) FROM ident_entry x WHERE x.round_id = :r AND x.village_code = :v
                          AND NOT EXISTS (SELECT 1 FROM survey_check c
                                          WHERE c.round_id = x.round_id AND c.person_id = x.person_id)""")
                .param("r", roundId).param("v", village).query(Long.class).single();
    }

    /** Checked and flagged children per village of the round: {village → [checked, flagged]}. */
    Map<String, long[]> countsByVillage(long roundId) {
        Map<String, long[]> out = new HashMap<>();
        jdbc.sql("""
                        SELECT x.village_code, COUNT(*),
                               SUM(CASE WHEN c.mark <> 'CONFIRMED' THEN 1 ELSE 0 END)
                        FROM survey_check c JOIN ident_entry x ON x.round_id = c.round_id AND x.person_id = c.person_id
                        WHERE c.round_id = :r AND x.village_code IS NOT NULL GROUP BY x.village_code""")
                .param("r", roundId).query(rs -> {
                    out.put(rs.getString(1).strip(), new long[]{rs.getLong(2), rs.getLong(3)});
                });
        return out;
    }
}
