package org.fuzhi.identification.internal;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.fuzhi.common.RegionCode;
import org.fuzhi.identification.Rounds.Stage;
import org.fuzhi.identification.Rounds.Step;
import org.fuzhi.identification.Rounds.TaskStatus;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.StaleEditException;
import org.fuzhi.region.Directory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Component;

/**
 * The rows of a round and its tasks, and who may see a round at all. Every part of the round (run, workflow,
 * reads) goes through here, so that the visibility rule and the optimistic-lock updates exist once.
 */
@Component
class RoundRecords {

    record RoundRow(long id, String name, int schoolYear, String term, String scopeCode, String modelVersion,
                    Stage stage, int runs, Long baseline, LocalDate noticeStart, LocalDate noticeEnd,
                    String createdBy, Instant createdAt, Instant lastRunAt, Instant finishedAt, int version) {
    }

    record TaskRow(long id, Step step, String unit, TaskStatus status, String remark, String reason,
                   String decidedBy, Instant decidedAt, int version) {

        /** The key a unit's task keeps from run to run: its step and its unit. */
        String key() {
            return key(step, unit);
        }

        static String key(Step step, String unit) {
            return step + ":" + unit;
        }
    }

    private final JdbcClient jdbc;
    private final Directory directory;
    private final Clock clock;

    RoundRecords(JdbcClient jdbc, Directory directory, Optional<Clock> clock) {
        this.jdbc = jdbc;
        this.directory = directory;
        this.clock = clock.orElse(Clock.system(RoundService.ZONE));
    }

    Optional<RoundRow> find(long id) {
        return jdbc.sql("SELECT * FROM ident_round WHERE id = :id").param("id", id).query((rs, n) -> new RoundRow(
                rs.getLong("id"), rs.getString("name"), rs.getInt("school_year"), rs.getString("term"),
                rs.getString("scope_code"), rs.getString("model_version"), Stage.valueOf(rs.getString("stage")),
                rs.getInt("runs"), (Long) rs.getObject("baseline_round_id", Long.class),
                date(rs.getDate("notice_start")), date(rs.getDate("notice_end")), rs.getString("created_by"),
                instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("last_run_at")),
                instant(rs.getTimestamp("finished_at")), rs.getInt("version"))).optional();
    }

    /** The round, if the user may see it at all: its scope and the user's overlap. */
    RoundRow visible(CurrentUser user, long id) {
        RoundRow r = find(id).orElseThrow(() -> new NotFoundException("round"));
        if (!user.role().seesChildren() || !overlaps(user.scope(), r.scopeCode())) {
            throw new AccessDeniedException("round outside scope");
        }
        return r;
    }

    /** The ids of every round, newest first (rounds are few: a county has two a year). */
    List<Long> ids() {
        return jdbc.sql("SELECT id FROM ident_round ORDER BY id DESC").query(Long.class).list();
    }

    boolean overlaps(Scope scope, String roundScope) {
        return switch (scope.type()) {
            case NONE -> false;
            case REGION -> scope.containsRegion(roundScope) || new RegionCode(roundScope).contains(scope.code());
            // A school takes part in the rounds of its county (any of them may list its pupils, whose entries it alone
            // sees); a school outside every county (a university) confirms no round.
            case SCHOOL -> directory.school(scope.code()).map(s -> s.regionCode())
                    .map(region -> overlaps(Scope.region(countyOf(region)), roundScope)).orElse(false);
        };
    }

    List<TaskRow> tasks(long roundId) {
        return jdbc.sql("SELECT * FROM ident_task WHERE round_id = :r ORDER BY id").param("r", roundId)
                .query((rs, n) -> new TaskRow(rs.getLong("id"), Step.valueOf(rs.getString("step")),
                        rs.getString("unit_code"), TaskStatus.valueOf(rs.getString("status")), rs.getString("remark"),
                        rs.getString("reason"), rs.getString("decided_by"), instant(rs.getTimestamp("decided_at")),
                        rs.getInt("version"))).list();
    }

    /** The round a task belongs to. */
    long roundOfTask(long taskId) {
        return jdbc.sql("SELECT round_id FROM ident_task WHERE id = :id").param("id", taskId)
                .query(Long.class).optional().orElseThrow(() -> new NotFoundException("task"));
    }

    /** The entry counts a task graph is built from: per school (with where it is) and village. */
    List<TaskGraph.EntryCount> entryCounts(long roundId) {
        return jdbc.sql("""
                SELECT school_code, school_region_code, village_code, COUNT(*) AS n FROM ident_entry
                WHERE round_id = :r GROUP BY school_code, school_region_code, village_code""")
                .param("r", roundId).query((rs, n) -> new TaskGraph.EntryCount(rs.getString("school_code"),
                        rs.getString("school_region_code"), rs.getString("village_code"), rs.getLong("n"))).list();
    }

    void updateTask(TaskRow t, int expectedVersion, TaskStatus status, String remark, String reason,
                    CurrentUser user) {
        int n = jdbc.sql("""
                UPDATE ident_task SET status = :st, remark = :rm, reason = :rs, decided_by = :u, decided_at = :now,
                       version = version + 1
                WHERE id = :id AND version = :v""").param("st", status.name()).param("rm", remark)
                .param("rs", reason).param("u", user.username()).param("now", Timestamp.from(clock.instant()))
                .param("id", t.id()).param("v", expectedVersion).update();
        if (n == 0) {
            throw new StaleEditException("task");
        }
    }

    /** Changes the round under its optimistic lock: {@code set} is a fixed SQL fragment, never user input. */
    void bump(long id, int expectedVersion, String set, Map<String, Object> params) {
        int n = jdbc.sql("UPDATE ident_round SET " + set + ", version = version + 1 WHERE id = :id AND version = :v")
                .params(params).param("id", id).param("v", expectedVersion).update();
        if (n == 0) {
            throw new StaleEditException("round");
        }
    }

    /** Audit details without the keys whose value is absent (a remark nobody wrote is not "null"). */
    static Map<String, Object> details(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put((String) kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    static String countyOf(String regionCode) {
        return regionCode.substring(0, 6) + "000000";
    }

    private static LocalDate date(Date d) {
        return d == null ? null : d.toLocalDate();
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
