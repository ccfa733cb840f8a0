package org.fuzhi.identification.internal;

import java.io.OutputStream;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.fuzhi.common.Page;
import org.fuzhi.common.RegionCode;
import org.fuzhi.identification.Linkage;
import org.fuzhi.identification.LiveEvaluation;
import org.fuzhi.identification.Rounds;
import org.fuzhi.identification.internal.RoundRecords.RoundRow;
import org.fuzhi.identification.internal.RoundRecords.TaskRow;
import org.fuzhi.identification.internal.RoundRun.Previous;
import org.fuzhi.identification.internal.RoundRun.RunStats;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.region.Directory;
import org.fuzhi.region.RegionView;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The round as its users see it: create and re-run it, move its tasks through the workflow, put up and take down
 * its notice, finish it. The parts live beside it:
 * <ul>
 *   <li>{@link RoundRecords} — the round's and tasks' rows, and who may see a round;</li>
 *   <li>{@link RoundRun} — one run: assess, write the entries, diff; {@link TaskPlanner} lays out its tasks;</li>
 *   <li>{@link TaskGraph} and {@link Workflow} — who waits for whom and who may do what (no database);</li>
 *   <li>{@link RoundReads} — entries, summary, changes, progress and the export;</li>
 *   <li>{@link SurveyChecklist} — a village's survey, child by child.</li>
 * </ul>
 */
@Service
class RoundService implements Rounds {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    private final JdbcClient jdbc;
    private final RoundRecords records;
    private final RoundRun runs;
    private final RoundReads reads;
    private final Directory directory;
    private final Linkage linkage;
    private final LiveEvaluation models;
    private final NoticeCalendar calendar;
    private final AuditLog audit;
    private final Clock clock;
    private final PlatformTransactionManager transactions;
    private final SurveyChecklist surveys;

    RoundService(JdbcClient jdbc, RoundRecords records, RoundRun runs, RoundReads reads, Directory directory,
                 Linkage linkage, LiveEvaluation models, NoticeCalendar calendar, AuditLog audit,
                 Optional<Clock> clock, PlatformTransactionManager transactions, SurveyChecklist surveys) {
        this.jdbc = jdbc;
        this.records = records;
        this.runs = runs;
        this.reads = reads;
        this.directory = directory;
        this.linkage = linkage;
        this.models = models;
        this.calendar = calendar;
        this.audit = audit;
        this.clock = clock.orElse(Clock.system(ZONE));
        this.transactions = transactions;
        this.surveys = surveys;
    }

    private LocalDate today() {
        return LocalDate.now(clock.withZone(ZONE));
    }

    // ---------------------------------------------------------------- create and run

    /**
     * Not one transaction: the roster is linked first and committed (links are recomputed state, and the readers
     * that assess the students in parallel see committed data only); the round itself is then written atomically.
     */
    @Override
    public RoundView create(CurrentUser user, NewRound nr) {
        user.require(user.role() == Role.CENTER);
        String name = nr.name() == null ? "" : nr.name().strip();
        if (name.isEmpty() || name.length() > 100) {
            throw new RuleViolationException("round.rule.name");
        }
        if (nr.schoolYear() < 2000 || nr.schoolYear() > 2100) {
            throw new RuleViolationException("round.rule.schoolYear");
        }
        if (!"AUTUMN".equals(nr.term()) && !"SPRING".equals(nr.term())) {
            throw new RuleViolationException("round.rule.term");
        }
        String scope = nr.scopeCode() == null ? "" : nr.scopeCode().strip();
        // A mistyped code would otherwise make an empty round that nobody can verify.
        if (!RegionCode.isValid(scope) || directory.region(scope).isEmpty()) {
            throw new RuleViolationException("round.rule.scope");
        }
        if (!user.scope().containsRegion(scope)) {
            throw new AccessDeniedException("round scope outside the user's scope");
        }
        if (countSame(scope, nr) > 0) {
            throw new RuleViolationException("round.rule.duplicate");
        }
        // Linkage runs over the whole of the center's area even for a village round: derived poverty status is
        // kept per area, and a narrower run would drop the status of pupils who live elsewhere.
        Jobs.progress().phase("job.phase.linkage");
        linkage.run(user);
        return inTransaction(() -> createRound(user, nr, name, scope));
    }

    private long countSame(String scope, NewRound nr) {
        return jdbc.sql("""
                SELECT COUNT(*) FROM ident_round WHERE scope_code = :s AND school_year = :y AND term = :t""")
                .param("s", scope).param("y", nr.schoolYear()).param("t", nr.term()).query(Long.class).single();
    }

    private <T> T inTransaction(Supplier<T> work) {
        return new TransactionTemplate(transactions).execute(st -> work.get());
    }

    private RoundView createRound(CurrentUser user, NewRound nr, String name, String scope) {
        if (countSame(scope, nr) > 0) { // again: another center may have created it while the roster was linked
            throw new RuleViolationException("round.rule.duplicate");
        }
        // The diff of a new round is against the last finished round of the same area (or the last one at all).
        Long baseline = jdbc.sql("""
                SELECT id FROM ident_round WHERE scope_code = :s
                ORDER BY CASE WHEN stage = 'FINAL' THEN 0 ELSE 1 END, id DESC LIMIT 1""")
                .param("s", scope).query(Long.class).optional().orElse(null);
        // Read once: the version the round records is the model its run applies, even if one is published meanwhile.
        var published = models.defaultModel();
        Instant now = clock.instant();
        try {
            jdbc.sql("""
                    INSERT INTO ident_round (name, school_year, term, scope_code, model_version, stage, runs,
                                             baseline_round_id, created_by, created_at, last_run_at)
                    VALUES (:n, :y, :t, :s, :m, 'VERIFYING', 1, :b, :u, :now, :now)""")
                    .param("n", name).param("y", nr.schoolYear()).param("t", nr.term()).param("s", scope)
                    .param("m", published.version()).param("b", baseline).param("u", user.username())
                    .param("now", Timestamp.from(now)).update();
        } catch (DuplicateKeyException e) {
            // The unique key (area, year, term) caught a concurrent twin that the check above could not see yet.
            throw new RuleViolationException("round.rule.duplicate");
        }
        long id = lastRoundId(scope, nr);
        // With nothing to compare to, a first round has no changes (everyone "new" would only be noise).
        RunStats stats = runs.run(id, scope, 1, baseline == null ? null : new Previous("ident_entry", baseline),
                published.model());
        audit.record("ROUND_CREATE", "round", String.valueOf(id), Map.of("scope", scope, "name", name,
                "entries", stats.entries(), "changes", stats.changes(), "casesOpened", stats.casesOpened()));
        return round(user, RoundId.of(id));
    }

    private long lastRoundId(String scope, NewRound nr) {
        return jdbc.sql("SELECT id FROM ident_round WHERE scope_code = :s AND school_year = :y AND term = :t")
                .param("s", scope).param("y", nr.schoolYear()).param("t", nr.term()).query(Long.class).single();
    }

    @Override
    public Rerun rerun(CurrentUser user, RoundId roundIdRef, int expectedVersion, boolean confirmReset) {
        long roundId = roundIdRef.value();
        user.require(user.role() == Role.CENTER);
        RoundRow round = records.visible(user, roundId);
        // Seeing a city's round is not running it: only a center whose area holds the whole round re-runs it.
        if (!user.scope().containsRegion(round.scopeCode())) {
            throw new AccessDeniedException("round scope outside the user's scope");
        }
        Workflow.requireVerifying(round);
        Jobs.progress().phase("job.phase.linkage");
        linkage.run(user);
        return inTransaction(() -> rerunRound(user, roundId, expectedVersion, confirmReset));
    }

    private Rerun rerunRound(CurrentUser user, long roundId, int expectedVersion, boolean confirmReset) {
        RoundRow r = records.visible(user, roundId);
        Workflow.requireVerifying(r);
        // A re-run applies the model published now, and the round says so.
        var published = models.defaultModel();
        records.bump(roundId, expectedVersion, "runs = runs + 1, last_run_at = :now, model_version = :m",
                Map.of("now", Timestamp.from(clock.instant()), "m", published.version()));
        jdbc.sql("DELETE FROM ident_entry_before WHERE round_id = :r").param("r", roundId).update();
        jdbc.sql("""
                INSERT INTO ident_entry_before (round_id, person_id, name, village_code, school_code, level)
                SELECT round_id, person_id, name, village_code, school_code, level FROM ident_entry WHERE round_id = :r""")
                .param("r", roundId).update();
        RunStats stats = runs.run(roundId, r.scopeCode(), r.runs() + 1, new Previous("ident_entry_before", roundId),
                published.model());
        if (!stats.resetUnits().isEmpty() && !confirmReset) {
            // Units have signed off work that the new data changes: nothing is kept until the center confirms.
            // Units are named with the Chinese list comma: unit names are Chinese in every language of the UI.
            throw new RuleViolationException("round.rule.resetNeedsConfirm", stats.resetUnits().size(),
                    String.join("、", stats.resetUnits().subList(0, Math.min(20, stats.resetUnits().size()))));
        }
        jdbc.sql("DELETE FROM ident_entry_before WHERE round_id = :r").param("r", roundId).update();
        audit.record("ROUND_RERUN", "round", String.valueOf(roundId), Map.of("run", r.runs() + 1,
                "entries", stats.entries(), "changes", stats.changes(), "casesOpened", stats.casesOpened(),
                "verificationsReset", stats.resetUnits().size()));
        return new Rerun(round(user, RoundId.of(roundId)), stats.resetUnits());
    }

    // ---------------------------------------------------------------- transitions

    private TaskGraph graph(RoundRow round) {
        return new TaskGraph(round, records.tasks(round.id()), records.entryCounts(round.id()),
                surveys.countsByVillage(round.id()));
    }

    private TaskGraph graphOfTask(CurrentUser user, long taskId) {
        return graph(records.visible(user, records.roundOfTask(taskId)));
    }

    @Override
    @Transactional
    public TaskView complete(CurrentUser user, TaskId taskIdRef, int expectedVersion, String remark) {
        long taskId = taskIdRef.value();
        TaskGraph g = graphOfTask(user, taskId);
        TaskRow t = g.task(taskId);
        String note = Workflow.checkComplete(user, g, t, () -> surveys.unchecked(g.round.id(), t.unit()), remark);
        records.updateTask(t, expectedVersion, TaskStatus.DONE, note, t.reason(), user);
        audit.record("ROUND_TASK_COMPLETE", "round", String.valueOf(g.round.id()),
                RoundRecords.details("step", t.step().name(), "unit", t.unit(), "remark", note));
        // The notice starts when the last aid center has verified (one for a county round, one per county above).
        if (g.lastCenter(t)) {
            LocalDate start = today();
            LocalDate end = calendar.lastDay(start, NOTICE_WORKING_DAYS);
            records.bump(g.round.id(), g.round.version(), "stage = 'NOTICE', notice_start = :s, notice_end = :e",
                    Map.of("s", Date.valueOf(start), "e", Date.valueOf(end)));
            audit.record("ROUND_NOTICE_START", "round", String.valueOf(g.round.id()),
                    Map.of("from", start.toString(), "to", end.toString()));
        }
        return taskView(user, graphOfTask(user, taskId), taskId, new UnitNames(directory));
    }

    @Override
    @Transactional
    public TaskView sendBack(CurrentUser user, TaskId taskIdRef, int expectedVersion, String reason) {
        long taskId = taskIdRef.value();
        TaskGraph g = graphOfTask(user, taskId);
        TaskRow t = g.task(taskId);
        UnitNames names = new UnitNames(directory);
        String why = Workflow.checkSendBack(user, g, t, reason, names::unit);
        records.updateTask(t, expectedVersion, TaskStatus.RETURNED, t.remark(), why, user);
        audit.record("ROUND_TASK_RETURN", "round", String.valueOf(g.round.id()),
                Map.of("step", t.step().name(), "unit", t.unit(), "reason", why));
        return taskView(user, graphOfTask(user, taskId), taskId, names);
    }

    @Override
    @Transactional
    public RoundView withdrawNotice(CurrentUser user, RoundId roundIdRef, int expectedVersion, String reason) {
        long roundId = roundIdRef.value();
        user.require(user.role() == Role.CENTER);
        RoundRow r = records.visible(user, roundId);
        Workflow.requireNotFinal(r);
        if (r.stage() != Stage.NOTICE) {
            throw new RuleViolationException("round.rule.notInNotice");
        }
        String why = reason == null ? "" : reason.strip();
        if (why.isEmpty() || why.length() > 500) {
            throw new RuleViolationException("round.rule.reasonRequired");
        }
        List<TaskRow> centers = records.tasks(roundId).stream().filter(t -> t.step() == Step.CENTER).toList();
        if (!user.scope().containsRegion(r.scopeCode()) || !centers.stream().allMatch(c -> Workflow.owns(user, c))) {
            throw new AccessDeniedException("not this round's aid center");
        }
        records.bump(roundId, expectedVersion, "stage = 'VERIFYING', notice_start = NULL, notice_end = NULL", Map.of());
        for (TaskRow center : centers) {
            records.updateTask(center, center.version(), TaskStatus.RETURNED, center.remark(), why, user);
        }
        audit.record("ROUND_NOTICE_WITHDRAW", "round", String.valueOf(roundId), Map.of("reason", why));
        return round(user, roundIdRef);
    }

    @Override
    @Transactional
    public RoundView finish(CurrentUser user, RoundId roundIdRef, int expectedVersion) {
        long roundId = roundIdRef.value();
        user.require(user.role() == Role.CENTER);
        RoundRow r = records.visible(user, roundId);
        Workflow.requireNotFinal(r);
        if (r.stage() != Stage.NOTICE) {
            throw new RuleViolationException("round.rule.notInNotice");
        }
        if (!today().isAfter(r.noticeEnd())) {
            throw new RuleViolationException("round.rule.noticeRunning", r.noticeEnd().toString());
        }
        if (!user.scope().containsRegion(r.scopeCode())) {
            throw new AccessDeniedException("not this round's aid center");
        }
        records.bump(roundId, expectedVersion, "stage = 'FINAL', finished_at = :now",
                Map.of("now", Timestamp.from(clock.instant())));
        audit.record("ROUND_FINAL", "round", String.valueOf(roundId), Map.of("noticeEnd", r.noticeEnd().toString()));
        return round(user, roundIdRef);
    }


    // ---------------------------------------------------------------- the round and its tasks

    @Override
    @Transactional(readOnly = true)
    public List<RoundView> list(CurrentUser user) {
        if (!user.role().seesChildren()) {
            return List.of();
        }
        return records.ids().stream().map(id -> records.find(id).orElseThrow())
                .filter(r -> records.overlaps(user.scope(), r.scopeCode())).map(this::view).toList();
    }

    @Override
    @Transactional(readOnly = true)
    public RoundView round(CurrentUser user, RoundId roundId) {
        return view(records.visible(user, roundId.value()));
    }

    private RoundView view(RoundRow r) {
        return new RoundView(r.id(), r.name(), r.schoolYear(), r.term(), r.scopeCode(), regionName(r.scopeCode()),
                r.modelVersion(), r.stage(), r.runs(), r.baseline(), r.noticeStart(), r.noticeEnd(), noticeUp(r),
                r.createdBy(), r.createdAt(), r.lastRunAt(), r.finishedAt(), r.version());
    }

    private String regionName(String code) {
        return code == null ? null : directory.region(code).map(RegionView::name).orElse(code);
    }

    private boolean noticeUp(RoundRow r) {
        LocalDate today = today();
        return r.stage() == Stage.NOTICE && !today.isBefore(r.noticeStart()) && !today.isAfter(r.noticeEnd());
    }

    @Override
    @Transactional(readOnly = true)
    public List<TaskView> tasks(CurrentUser user, RoundId roundId) {
        TaskGraph g = graph(records.visible(user, roundId.value()));
        UnitNames names = new UnitNames(directory);
        List<TaskView> out = new ArrayList<>();
        for (TaskRow t : g.tasks) {
            if (Workflow.sees(user, g, t)) {
                out.add(taskView(user, g, t.id(), names));
            }
        }
        return out;
    }

    private static TaskView taskView(CurrentUser user, TaskGraph g, long taskId, UnitNames names) {
        TaskRow t = g.task(taskId);
        long[] checks = g.surveyChecks(t);
        return new TaskView(t.id(), g.round.id(), t.step(), t.unit(), names.unit(t), t.status(), t.remark(),
                t.reason(), t.decidedBy(), t.decidedAt(), t.version(), g.entries(t), g.blockers(t),
                Workflow.mayComplete(user, g, t), Workflow.maySendBack(user, g, t), checks[0], checks[1]);
    }

    @Override
    @Transactional(readOnly = true)
    public List<Pending> pending(CurrentUser user) {
        List<Pending> out = new ArrayList<>();
        for (RoundView r : list(user)) {
            if (r.stage() == Stage.FINAL || out.size() >= 5) {
                continue;
            }
            List<TaskView> open = r.stage() != Stage.VERIFYING ? List.of() : tasks(user, RoundId.of(r.id())).stream()
                    .filter(t -> t.mayComplete() || t.maySendBack()).toList();
            boolean finishable = r.stage() == Stage.NOTICE && user.role() == Role.CENTER
                    && today().isAfter(r.noticeEnd());
            // A village's own survey leads straight to its checklist (the cadre is on a phone).
            TaskView survey = open.stream().filter(t -> t.step() == Step.SURVEY && t.mayComplete()).findFirst()
                    .orElse(null);
            out.add(new Pending(r.id(), r.name(), r.stage(), open.size(), finishable,
                    survey == null ? null : survey.id(), survey == null ? 0 : survey.checked(),
                    survey == null ? 0 : survey.entries()));
        }
        return out;
    }

    // ---------------------------------------------------------------- reads (RoundReads)

    @Override
    @Transactional(readOnly = true)
    public Map<Step, Progress> progress(CurrentUser user, RoundId roundId) {
        return reads.progress(user, roundId.value());
    }

    @Override
    @Transactional(readOnly = true)
    public void forEachEntry(CurrentUser user, RoundId roundId, Consumer<EntryFact> consumer) {
        reads.forEachEntry(user, roundId.value(), consumer);
    }

    @Override
    @Transactional(readOnly = true)
    public Page<EntryView> entries(CurrentUser user, RoundId roundId, EntryQuery q, int page, int size) {
        return reads.entries(user, roundId.value(), q, page, size);
    }

    @Override
    @Transactional(readOnly = true)
    public Summary summary(CurrentUser user, RoundId roundId) {
        return reads.summary(user, roundId.value());
    }

    @Override
    @Transactional(readOnly = true)
    public List<ChangeView> changes(CurrentUser user, RoundId roundId) {
        return reads.changes(user, roundId.value());
    }

    @Override
    @Transactional // the export is recorded in the audit log
    public long exportEntries(CurrentUser user, RoundId roundId, EntryQuery q, OutputStream out, Locale locale) {
        return reads.exportEntries(user, roundId.value(), q, out, locale);
    }
}
