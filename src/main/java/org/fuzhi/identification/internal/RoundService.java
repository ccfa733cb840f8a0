package org.fuzhi.identification.internal;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.fuzhi.common.Masking;
import org.fuzhi.common.Page;
import org.fuzhi.common.RegionCode;
import org.fuzhi.identification.Assessment;
import org.fuzhi.identification.AssessmentModel;
import org.fuzhi.identification.Linkage;
import org.fuzhi.identification.LiveEvaluation;
import org.fuzhi.identification.Rounds;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.ScopeFilter;
import org.fuzhi.platform.StaleEditException;
import org.fuzhi.region.Directory;
import org.fuzhi.region.RegionView;
import org.fuzhi.region.SchoolView;
import org.fuzhi.registry.Registry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class RoundService implements Rounds {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RoundService.class);
    private static final int BATCH = 1000;

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final Registry registry;
    private final Directory directory;
    private final Linkage linkage;
    private final LiveEvaluation models;
    private final AlkireFoster engine;
    private final DropoutCases cases;
    private final SourceListFlags lists;
    private final NoticeCalendar calendar;
    private final AuditLog audit;
    private final Clock clock;
    private final org.springframework.context.MessageSource messages;
    private final org.springframework.transaction.PlatformTransactionManager transactions;

    private final org.fuzhi.platform.BulkRows bulk;
    private final SurveyChecklist surveys;

    RoundService(JdbcClient jdbc, JdbcTemplate template, Registry registry, Directory directory, Linkage linkage, LiveEvaluation models,
                 AlkireFoster engine, DropoutCases cases, SourceListFlags lists, NoticeCalendar calendar, AuditLog audit,
                 Optional<Clock> clock, org.springframework.context.MessageSource messages,
                 org.springframework.transaction.PlatformTransactionManager transactions,
                 org.fuzhi.platform.BulkRows bulk, SurveyChecklist surveys) {
        this.bulk = bulk;
        this.surveys = surveys;
        this.messages = messages;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.template = template;
        this.registry = registry;
        this.directory = directory;
        this.linkage = linkage;
        this.models = models;
        this.engine = engine;
        this.cases = cases;
        this.lists = lists;
        this.calendar = calendar;
        this.audit = audit;
        this.clock = clock.orElse(Clock.system(ZONE));
    }

    private LocalDate today() {
        return LocalDate.now(clock.withZone(ZONE));
    }

    // ---------------------------------------------------------------- rows

    private record RoundRow(long id, String name, int schoolYear, String term, String scopeCode, String modelVersion,
                            Stage stage, int runs, Long baseline, LocalDate noticeStart, LocalDate noticeEnd,
                            String createdBy, Instant createdAt, Instant lastRunAt, Instant finishedAt, int version) {
    }

    private record TaskRow(long id, Step step, String unit, TaskStatus status, String remark, String reason,
                           String decidedBy, Instant decidedAt, int version) {
    }

    /** One identified student as the run computes it. */
    private record Entry(long studentId, long personId, Source source, String category, String name,
                         String villageCode, String schoolCode, String schoolRegionCode, boolean outsideCounty,
                         String stage, Integer grade, double score, String level, List<String> deprived) {
    }

    private Optional<RoundRow> findRound(long id) {
        return jdbc.sql("SELECT * FROM ident_round WHERE id = :id").param("id", id).query((rs, n) -> new RoundRow(
                rs.getLong("id"), rs.getString("name"), rs.getInt("school_year"), rs.getString("term"),
                rs.getString("scope_code"), rs.getString("model_version"), Stage.valueOf(rs.getString("stage")),
                rs.getInt("runs"), (Long) rs.getObject("baseline_round_id", Long.class),
                date(rs.getDate("notice_start")), date(rs.getDate("notice_end")), rs.getString("created_by"),
                instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("last_run_at")),
                instant(rs.getTimestamp("finished_at")), rs.getInt("version"))).optional();
    }

    private static LocalDate date(java.sql.Date d) {
        return d == null ? null : d.toLocalDate();
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** The round, if the user may see it at all: its scope and the user's overlap. */
    private RoundRow visibleRound(CurrentUser user, long id) {
        RoundRow r = findRound(id).orElseThrow(() -> new NotFoundException("round"));
        if (!user.role().seesChildren() || !overlaps(user.scope(), r.scopeCode())) {
            throw new AccessDeniedException("round outside scope");
        }
        return r;
    }

    private boolean overlaps(Scope scope, String roundScope) {
        return switch (scope.type()) {
            case NONE -> false;
            case REGION -> scope.containsRegion(roundScope) || new RegionCode(roundScope).contains(scope.code());
            // A school takes part in the rounds of its county (any of them may list its pupils, whose entries it alone
            // sees); a school outside every county (a university) confirms no round.
            case SCHOOL -> directory.school(scope.code()).map(s -> s.regionCode())
                    .map(region -> overlaps(Scope.region(countyOf(region)), roundScope)).orElse(false);
        };
    }

    private List<TaskRow> taskRows(long roundId) {
        return jdbc.sql("SELECT * FROM ident_task WHERE round_id = :r ORDER BY id").param("r", roundId)
                .query((rs, n) -> new TaskRow(rs.getLong("id"), Step.valueOf(rs.getString("step")),
                        rs.getString("unit_code"), TaskStatus.valueOf(rs.getString("status")), rs.getString("remark"),
                        rs.getString("reason"), rs.getString("decided_by"), instant(rs.getTimestamp("decided_at")),
                        rs.getInt("version"))).list();
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
        org.fuzhi.platform.Jobs.progress().phase("job.phase.linkage");
        linkage.run(user);
        return inTransaction(() -> createRound(user, nr, name, scope));
    }

    private long countSame(String scope, NewRound nr) {
        return jdbc.sql("""
                SELECT COUNT(*) FROM ident_round WHERE scope_code = :s AND school_year = :y AND term = :t""")
                .param("s", scope).param("y", nr.schoolYear()).param("t", nr.term()).query(Long.class).single();
    }

    private <T> T inTransaction(java.util.function.Supplier<T> work) {
        return new org.springframework.transaction.support.TransactionTemplate(transactions).execute(st -> work.get());
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
        Instant now = clock.instant();
        try {
            jdbc.sql("""
                    INSERT INTO ident_round (name, school_year, term, scope_code, model_version, stage, runs,
                                             baseline_round_id, created_by, created_at, last_run_at)
                    VALUES (:n, :y, :t, :s, :m, 'VERIFYING', 1, :b, :u, :now, :now)""")
                    .param("n", name).param("y", nr.schoolYear()).param("t", nr.term()).param("s", scope)
                    .param("m", models.defaultModel().version()).param("b", baseline).param("u", user.username())
                    .param("now", Timestamp.from(now)).update();
        } catch (org.springframework.dao.DuplicateKeyException e) {
            // The unique key (area, year, term) caught a concurrent twin that the check above could not see yet.
            throw new RuleViolationException("round.rule.duplicate");
        }
        long id = lastRoundId(scope, nr);
        // With nothing to compare to, a first round has no changes (everyone "new" would only be noise).
        RunStats stats = run(user, id, scope, 1, baseline == null ? null : new Previous("ident_entry", baseline));
        audit.record("ROUND_CREATE", "round", String.valueOf(id), Map.of("scope", scope, "name", name,
                "entries", stats.entries(), "changes", stats.changes(), "casesOpened", stats.casesOpened()));
        return round(user, id);
    }

    private long lastRoundId(String scope, NewRound nr) {
        return jdbc.sql("SELECT id FROM ident_round WHERE scope_code = :s AND school_year = :y AND term = :t")
                .param("s", scope).param("y", nr.schoolYear()).param("t", nr.term()).query(Long.class).single();
    }

    @Override
    public Rerun rerun(CurrentUser user, long roundId, int expectedVersion, boolean confirmReset) {
        user.require(user.role() == Role.CENTER);
        RoundRow round = visibleRound(user, roundId);
        // Seeing a city's round is not running it: only a center whose area holds the whole round re-runs it.
        if (!user.scope().containsRegion(round.scopeCode())) {
            throw new AccessDeniedException("round scope outside the user's scope");
        }
        requireVerifying(round);
        org.fuzhi.platform.Jobs.progress().phase("job.phase.linkage");
        linkage.run(user);
        return inTransaction(() -> rerunRound(user, roundId, expectedVersion, confirmReset));
    }

    private Rerun rerunRound(CurrentUser user, long roundId, int expectedVersion, boolean confirmReset) {
        RoundRow r = visibleRound(user, roundId);
        requireVerifying(r);
        bumpRound(roundId, expectedVersion, "runs = runs + 1, last_run_at = :now", Map.of("now",
                Timestamp.from(clock.instant())));
        jdbc.sql("DELETE FROM ident_entry_before WHERE round_id = :r").param("r", roundId).update();
        jdbc.sql("""
                INSERT INTO ident_entry_before (round_id, person_id, name, village_code, school_code, level)
                SELECT round_id, person_id, name, village_code, school_code, level FROM ident_entry WHERE round_id = :r""")
                .param("r", roundId).update();
        RunStats stats = run(user, roundId, r.scopeCode(), r.runs() + 1, new Previous("ident_entry_before", roundId));
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
        return new Rerun(round(user, roundId), stats.resetUnits());
    }

    /** @param resetUnits the units whose finished verification the run had to reset (names, for the user) */
    record RunStats(long entries, long changes, long casesOpened, List<String> resetUnits) {
    }

    /** The entries a run is compared with: another round's, or this round's previous run copied aside. */
    record Previous(String table, long roundId) {
    }

    /** Link, assess, classify, diff; then the tasks of every unit concerned start afresh. */
    RunStats run(CurrentUser user, long roundId, String scopeCode, int runNo, Previous previous) {
        Scope scope = Scope.region(scopeCode);
        var progress = org.fuzhi.platform.Jobs.progress();
        progress.phase("job.phase.assess");
        long t1 = System.nanoTime();
        jdbc.sql("DELETE FROM ident_entry WHERE round_id = :r").param("r", roundId).update();
        long written = assess(scope, roundId);
        long t2 = System.nanoTime();
        long changes = 0;
        if (previous != null) {
            progress.phase("job.phase.diff");
            analyze("ident_entry", previous.table());
            changes = diff(roundId, runNo, previous);
        }
        long t3 = System.nanoTime();
        progress.phase("job.phase.tasks");
        List<String> reset = createTasks(roundId, scopeCode, previous != null && previous.roundId() == roundId ? runNo : 0);
        long t4 = System.nanoTime();
        progress.phase("job.phase.cases");
        long opened = cases.openSuspected(scope, roundId);
        long t5 = System.nanoTime();
        // Where a run's time goes, for whoever sizes the machine (the linkage logs its own).
        LOG.info("round {} run {} over {}: {} entries, {} changes, {} cases opened; assess and write {} ms, diff {} ms, "
                        + "tasks {} ms, cases {} ms", roundId, runNo, scopeCode, written, changes, opened,
                (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, (t4 - t3) / 1_000_000, (t5 - t4) / 1_000_000);
        return new RunStats(written, changes, opened, reset);
    }

    /** Readers of the students, each on its own connection: reading and scoring overlap with writing entries. */
    static final int READERS = 2;
    /**
     * Parts the students are read in, taken by whichever reader is free: person-ID ranges hold unequal numbers of
     * students, and with one part per reader the province's second reader finished ~8 s after the first.
     */
    static final int SLICES = 8;

    /**
     * Streams the scope's students past the published model in {@link #SLICES} parts read by {@link #READERS}
     * parallel readers (each in its own read-only transaction, with its own scorer) and writes the round's entries — roster children always,
     * others when the model rates them as hardship — from this thread, in the round's transaction, as they come.
     * A county reads in under a second; a province's 10M students are where the parallelism pays.
     */
    private long assess(Scope scope, long roundId) {
        var model = models.defaultModel().model();
        String lowestBand = lowestBand();
        var listed = lists.load();
        var handoff = new Handoff<List<Entry>>(32, "assessment");
        var readTx = new org.springframework.transaction.support.TransactionTemplate(transactions);
        readTx.setReadOnly(true);
        var subjects = registry.assessmentSubjects(scope);
        var nextSlice = new java.util.concurrent.atomic.AtomicInteger();
        // The bar moves by parts read; the readers count, the writer (the job's own thread) reports.
        var slicesRead = new java.util.concurrent.atomic.AtomicInteger();
        var progress = org.fuzhi.platform.Jobs.progress();
        progress.total(SLICES);
        List<java.util.function.Supplier<Void>> readers = new ArrayList<>();
        for (int k = 0; k < READERS; k++) {
            readers.add(() -> {
                var scorer = engine.scorer(model, ModelStore.ATTRIBUTES);
                List<Entry> batch = new ArrayList<>(BATCH);
                readTx.executeWithoutResult(st -> {
                    for (int slice = nextSlice.getAndIncrement(); slice < SLICES; slice = nextSlice.getAndIncrement()) {
                        subjects.forEach(slice, SLICES, s -> {
                            Entry e = entry(s, scorer, listed, lowestBand);
                            if (e != null) {
                                batch.add(e);
                                if (batch.size() == BATCH) {
                                    handoff.put(new ArrayList<>(batch));
                                    batch.clear();
                                }
                            }
                        });
                        slicesRead.incrementAndGet();
                    }
                });
                if (!batch.isEmpty()) {
                    handoff.put(batch);
                }
                return null;
            });
        }
        long[] written = {0};
        handoff.run(readers, batch -> {
            insertEntries(roundId, batch);
            written[0] += batch.size();
            progress.done(slicesRead.get());
        });
        progress.done(SLICES);
        return written[0];
    }

    /** The student's entry in the round, or null when the student is neither on the roster nor rated hardship. */
    private static Entry entry(org.fuzhi.registry.Registry.AssessmentSubject s, AlkireFoster.Scorer scorer,
                               SourceListFlags.Listed listed, String lowestBand) {
        SourceListFlags.annotate(listed, s);
        var p = s.placement();
        var rr = scorer.score(new Assessment.Subject(String.valueOf(s.studentId()), 1, s.stageGroup(), s.values()));
        Source source;
        String level;
        if (p.rosterCategory() != null) {
            // Roster children are entitled by the roster itself; the model grades them, never drops them.
            source = Source.ROSTER;
            level = rr.poor() && rr.level() != null ? rr.level() : lowestBand;
        } else if (rr.poor()) {
            source = Source.HARDSHIP;
            level = rr.level();
        } else {
            return null;
        }
        return new Entry(s.studentId(), p.personId(), source, p.rosterCategory(), p.name(), p.villageCode(),
                p.schoolCode(), p.schoolRegionCode(), p.outsideCounty(), p.stage(), p.grade(), rr.score(), level,
                rr.deprived());
    }


    /**
     * Fresh planner statistics for tables a run has just rewritten. Without them PostgreSQL plans the diff's
     * anti-joins over a table it believes empty as nested loops, which over a province's 856k entries ran for
     * minutes; H2 plans by index and needs nothing.
     */
    private void analyze(String... tables) {
        bulk.analyze(tables);
    }


    private String lowestBand() {
        var bands = models.defaultModel().model().bands();
        return bands.stream().min(java.util.Comparator.comparingDouble(b -> b.min())).map(b -> b.level()).orElse(null);
    }

    private void insertEntries(long roundId, List<Entry> entries) {
        String sql = """
                INSERT INTO ident_entry (round_id, student_id, person_id, source, category, name, village_code,
                    school_code, school_region_code, outside_county, stage, grade, score, level, deprived)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
        for (int from = 0; from < entries.size(); from += BATCH) {
            List<Entry> chunk = entries.subList(from, Math.min(entries.size(), from + BATCH));
            jdbcTemplate().batchUpdate(sql, chunk, chunk.size(), (ps, e) -> {
                ps.setLong(1, roundId);
                ps.setLong(2, e.studentId());
                ps.setLong(3, e.personId());
                ps.setString(4, e.source().name());
                ps.setString(5, e.category());
                ps.setString(6, e.name());
                ps.setString(7, e.villageCode());
                ps.setString(8, e.schoolCode());
                ps.setString(9, e.schoolRegionCode());
                ps.setBoolean(10, e.outsideCounty());
                ps.setString(11, e.stage());
                ps.setObject(12, e.grade(), java.sql.Types.INTEGER);
                ps.setBigDecimal(13, java.math.BigDecimal.valueOf(e.score()).setScale(4, java.math.RoundingMode.HALF_UP));
                ps.setString(14, e.level());
                ps.setString(15, String.join(",", e.deprived()));
            });
        }
    }

    private JdbcTemplate jdbcTemplate() {
        return template;
    }

    /**
     * New, exited, moved school and level changed, compared in SQL with the previous entries: person by person,
     * as the schools and villages read them.
     */
    private long diff(long roundId, int runNo, Previous previous) {
        String insert = "INSERT INTO ident_change (round_id, run_no, person_id, kind, name, village_code, old_school, "
                + "new_school, old_level, new_level) ";
        String before = previous.table() + " p";
        List<String> selects = List.of(
                "SELECT :r, :n, e.person_id, 'NEW', e.name, e.village_code, NULL, e.school_code, NULL, e.level "
                        + "FROM ident_entry e WHERE e.round_id = :r AND NOT EXISTS (SELECT 1 FROM " + before
                        + " WHERE p.round_id = :b AND p.person_id = e.person_id)",
                "SELECT :r, :n, e.person_id, 'MOVED_SCHOOL', e.name, e.village_code, p.school_code, e.school_code, "
                        + "p.level, e.level FROM ident_entry e JOIN " + before
                        + " ON p.round_id = :b AND p.person_id = e.person_id "
                        + "WHERE e.round_id = :r AND p.school_code <> e.school_code",
                "SELECT :r, :n, e.person_id, 'LEVEL_CHANGED', e.name, e.village_code, p.school_code, e.school_code, "
                        + "p.level, e.level FROM ident_entry e JOIN " + before
                        + " ON p.round_id = :b AND p.person_id = e.person_id "
                        + "WHERE e.round_id = :r AND p.level IS DISTINCT FROM e.level",
                "SELECT :r, :n, p.person_id, 'EXITED', p.name, p.village_code, p.school_code, NULL, p.level, NULL "
                        + "FROM " + before + " WHERE p.round_id = :b AND NOT EXISTS "
                        + "(SELECT 1 FROM ident_entry e WHERE e.round_id = :r AND e.person_id = p.person_id)");
        long changes = 0;
        for (String select : selects) {
            changes += jdbc.sql(insert + select).param("r", roundId).param("n", runNo).param("b", previous.roundId())
                    .update();
        }
        return changes;
    }

    /**
     * One task per village surveyed, township, school that confirms, and aid center: the county's for a county,
     * township or village round; each county's for a city or province round, whose schools are those in its area.
     */
    private List<String> createTasks(long roundId, String scopeCode, int rerunNo) {
        // On a re-run, a unit whose entries the run did not change keeps its verification as it was.
        Map<String, TaskRow> before = new HashMap<>();
        if (rerunNo > 0) {
            taskRows(roundId).forEach(t -> before.put(t.step() + ":" + t.unit(), t));
        }
        jdbc.sql("DELETE FROM ident_task WHERE round_id = :r").param("r", roundId).update();
        RegionCode area = new RegionCode(scopeCode);
        String prefix = area.prefix();
        boolean aboveCounty = area.level().ordinal() < RegionCode.Level.COUNTY.ordinal();
        Set<String> villages = new TreeSet<>();
        Set<String> townships = new TreeSet<>();
        Set<String> schools = new TreeSet<>();
        Set<String> counties = new TreeSet<>();
        jdbc.sql("SELECT DISTINCT village_code FROM ident_entry WHERE round_id = :r AND village_code IS NOT NULL")
                .param("r", roundId).query(String.class).list().forEach(v -> {
                    if (v.startsWith(prefix) && new RegionCode(v).level() == RegionCode.Level.VILLAGE) {
                        villages.add(v);
                        townships.add(new RegionCode(v).parentCode());
                        counties.add(countyOf(v));
                    }
                });
        Map<String, String> schoolRegion = new HashMap<>();
        jdbc.sql("SELECT DISTINCT school_code, school_region_code FROM ident_entry WHERE round_id = :r "
                + "AND outside_county = FALSE").param("r", roundId).query(rs -> {
                    String region = rs.getString(2);
                    schoolRegion.put(rs.getString(1), region);
                    if (!aboveCounty) {
                        schools.add(rs.getString(1));
                    } else if (region != null && region.startsWith(prefix)) {
                        schools.add(rs.getString(1));
                        counties.add(countyOf(region));
                    }
                });
        Set<String> centers = aboveCounty ? counties : Set.of(countyOf(scopeCode));
        Set<String> affected = rerunNo > 0 ? affectedUnits(roundId, rerunNo, schoolRegion, aboveCounty, scopeCode)
                : Set.of();
        if (rerunNo > 0) {
            // A unit that is new in this run has not verified anything yet: what stands above it verifies again.
            for (String v : villages) {
                if (!before.containsKey(Step.SURVEY + ":" + v)) {
                    affected.add(Step.TOWNSHIP + ":" + new RegionCode(v).parentCode());
                    affected.add(Step.CENTER + ":" + (aboveCounty ? countyOf(v) : countyOf(scopeCode)));
                }
            }
            for (String sc : schools) {
                if (!before.containsKey(Step.SCHOOL + ":" + sc)) {
                    String region = schoolRegion.get(sc);
                    affected.add(Step.CENTER + ":" + (aboveCounty && region != null ? countyOf(region)
                            : countyOf(scopeCode)));
                }
            }
        }
        List<Object[]> rows = new ArrayList<>();
        villages.forEach(v -> rows.add(new Object[]{roundId, Step.SURVEY.name(), v}));
        townships.forEach(t -> rows.add(new Object[]{roundId, Step.TOWNSHIP.name(), t}));
        schools.forEach(s -> rows.add(new Object[]{roundId, Step.SCHOOL.name(), s}));
        centers.forEach(c -> rows.add(new Object[]{roundId, Step.CENTER.name(), c}));
        List<Object[]> fresh = new ArrayList<>();
        List<Object[]> kept = new ArrayList<>();
        Names names = new Names();
        List<String> reset = new ArrayList<>();
        for (Object[] row : rows) {
            String key = row[1] + ":" + row[2];
            TaskRow old = before.remove(key);
            if (old != null && !affected.contains(key)) {
                kept.add(new Object[]{roundId, row[1], row[2], old.status().name(), old.remark(), old.reason(),
                        old.decidedBy(), old.decidedAt() == null ? null : Timestamp.from(old.decidedAt())});
            } else {
                if (old != null && old.status() == TaskStatus.DONE) {
                    reset.add(unitName(old, names));
                }
                fresh.add(row);
            }
        }
        // A finished unit that no longer has any entry has nothing left to verify: its task goes, and it is said.
        before.values().stream().filter(t -> t.status() == TaskStatus.DONE).forEach(t -> reset.add(unitName(t, names)));
        jdbcTemplate().batchUpdate("INSERT INTO ident_task (round_id, step, unit_code, status) VALUES (?, ?, ?, 'PENDING')",
                fresh);
        jdbcTemplate().batchUpdate("INSERT INTO ident_task (round_id, step, unit_code, status, remark, reason, decided_by, "
                + "decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", kept);
        return reset;
    }

    /**
     * The tasks (step:unit) a re-run's changes reach: the villages and schools of changed entries, the townships of
     * those villages, the schools whose pupils live in those townships (they confirmed after the township), and
     * every aid center above anything reset — an approval may not stand above a unit that must verify again.
     */
    private Set<String> affectedUnits(long roundId, int runNo, Map<String, String> schoolRegion, boolean aboveCounty,
                                      String scopeCode) {
        Set<String> out = new java.util.HashSet<>();
        Set<String> townships = new java.util.HashSet<>();
        Set<String> counties = new java.util.HashSet<>();
        // Every entry that is new, gone, or changed in village, school or level (also a household that moved
        // village, which the diff for schools does not record), compared with the run before it.
        List<String[]> touched = new ArrayList<>();
        jdbc.sql("""
                SELECT a.village_code, a.school_code, b.village_code, b.school_code FROM ident_entry a
                LEFT JOIN ident_entry_before b ON b.round_id = a.round_id AND b.person_id = a.person_id
                WHERE a.round_id = :r AND (b.person_id IS NULL
                    OR COALESCE(b.village_code, '') <> COALESCE(a.village_code, '')
                    OR COALESCE(b.school_code, '') <> COALESCE(a.school_code, '')
                    OR COALESCE(b.level, '') <> COALESCE(a.level, ''))""").param("r", roundId).query(rs -> {
                    touched.add(new String[]{rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
                });
        jdbc.sql("""
                SELECT b.village_code, b.school_code FROM ident_entry_before b
                LEFT JOIN ident_entry a ON a.round_id = b.round_id AND a.person_id = b.person_id
                WHERE b.round_id = :r AND a.person_id IS NULL""").param("r", roundId).query(rs -> {
                    touched.add(new String[]{rs.getString(1), rs.getString(2), null, null});
                });
        for (String[] t : touched) {
            for (String village : new String[]{t[0], t[2]}) {
                if (village != null && new RegionCode(village).level() == RegionCode.Level.VILLAGE) {
                    out.add(Step.SURVEY + ":" + village);
                    townships.add(new RegionCode(village).parentCode());
                    counties.add(countyOf(village));
                }
            }
            for (String school : new String[]{t[1], t[3]}) {
                if (school != null) {
                    out.add(Step.SCHOOL + ":" + school);
                    String region = schoolRegion.get(school);
                    counties.add(region != null ? countyOf(region) : countyOf(scopeCode));
                }
            }
        }
        townships.forEach(t -> out.add(Step.TOWNSHIP + ":" + t));
        if (!townships.isEmpty()) {
            jdbc.sql("SELECT DISTINCT school_code, village_code FROM ident_entry WHERE round_id = :r "
                    + "AND outside_county = FALSE AND village_code IS NOT NULL").param("r", roundId).query(rs -> {
                        String village = rs.getString(2);
                        if (village.length() == 12 && townships.contains(village.substring(0, 9) + "000")) {
                            out.add(Step.SCHOOL + ":" + rs.getString(1));
                        }
                    });
        }
        if (!out.isEmpty()) {
            if (aboveCounty) {
                counties.forEach(c -> out.add(Step.CENTER + ":" + c));
            } else {
                out.add(Step.CENTER + ":" + countyOf(scopeCode));
            }
        }
        return out;
    }

    private static String countyOf(String regionCode) {
        return regionCode.substring(0, 6) + "000000";
    }

    // ---------------------------------------------------------------- task graph

    /**
     * The tasks of a round with who depends on whom, built once per request. A province round has tens of thousands
     * of tasks, so every relation is indexed here rather than searched for each task.
     */
    private final class Graph {
        final RoundRow round;
        final List<TaskRow> tasks;
        final Map<String, TaskRow> byKey = new HashMap<>();
        final Map<Long, TaskRow> byId = new HashMap<>();
        final Map<String, Set<String>> townshipsOfSchool = new HashMap<>();
        final Map<String, List<TaskRow>> schoolsOfTownship = new HashMap<>();
        final Map<String, List<TaskRow>> surveysOfTownship = new HashMap<>();
        final Map<String, String> schoolRegion = new HashMap<>();
        final Map<String, Long> entriesByVillage = new HashMap<>();
        final Map<String, Long> entriesByTownship = new HashMap<>();
        final Map<String, Long> entriesBySchool = new HashMap<>();
        final Map<String, Long> entriesByCounty = new HashMap<>();
        final List<TaskRow> centers = new ArrayList<>();
        final Map<String, List<TaskRow>> belowCenter = new HashMap<>();
        final Names names = new Names();
        /** Per village: children checked and flagged in its survey checklist. */
        final Map<String, long[]> surveyChecks;
        long entries;

        Graph(RoundRow round) {
            this.round = round;
            this.tasks = taskRows(round.id());
            this.surveyChecks = surveys.countsByVillage(round.id());
            tasks.forEach(t -> {
                byKey.put(t.step() + ":" + t.unit(), t);
                byId.put(t.id(), t);
            });
            jdbc.sql("""
                    SELECT school_code, school_region_code, village_code, COUNT(*) AS n FROM ident_entry
                    WHERE round_id = :r GROUP BY school_code, school_region_code, village_code""")
                    .param("r", round.id()).query(rs -> {
                String school = rs.getString("school_code");
                String village = rs.getString("village_code");
                String region = rs.getString("school_region_code");
                long n = rs.getLong("n");
                entries += n;
                entriesBySchool.merge(school, n, Long::sum);
                if (region != null) {
                    schoolRegion.putIfAbsent(school, region);
                }
                if (village != null) {
                    entriesByVillage.merge(village, n, Long::sum);
                    entriesByTownship.merge(village.substring(0, 9), n, Long::sum);
                    entriesByCounty.merge(village.substring(0, 6), n, Long::sum);
                    if (byKey.containsKey(Step.SURVEY + ":" + village)) {
                        townshipsOfSchool.computeIfAbsent(school, k -> new TreeSet<>())
                                .add(new RegionCode(village).parentCode());
                    }
                }
            });
            for (TaskRow t : tasks) {
                switch (t.step()) {
                    case SURVEY -> surveysOfTownship.computeIfAbsent(t.unit().substring(0, 9), k -> new ArrayList<>())
                            .add(t);
                    case SCHOOL -> townshipsOfSchool.getOrDefault(t.unit(), Set.of()).forEach(tw ->
                            schoolsOfTownship.computeIfAbsent(tw, k -> new ArrayList<>()).add(t));
                    case CENTER -> centers.add(t);
                    default -> {
                    }
                }
            }
            for (TaskRow t : tasks) {
                if (t.step() != Step.CENTER) {
                    belowCenter.computeIfAbsent(centers.size() <= 1 ? "" : county(t), k -> new ArrayList<>()).add(t);
                }
            }
        }

        /** The county whose aid center verifies the task's unit (a school's by where the school is). */
        private String county(TaskRow t) {
            String region = t.step() == Step.SCHOOL ? schoolRegion.get(t.unit()) : t.unit();
            return region == null ? "" : region.substring(0, 6);
        }

        List<TaskRow> children(TaskRow t) {
            return switch (t.step()) {
                case SURVEY -> List.of();
                case TOWNSHIP -> surveysOfTownship.getOrDefault(t.unit().substring(0, 9), List.of());
                case SCHOOL -> townshipsOfSchool.getOrDefault(t.unit(), Set.of()).stream()
                        .map(tw -> byKey.get(Step.TOWNSHIP + ":" + tw)).filter(Objects::nonNull).toList();
                case CENTER -> belowCenter.getOrDefault(centers.size() <= 1 ? "" : county(t), List.of());
            };
        }

        List<TaskRow> parents(TaskRow t) {
            return switch (t.step()) {
                case SURVEY -> {
                    TaskRow p = byKey.get(Step.TOWNSHIP + ":" + new RegionCode(t.unit()).parentCode());
                    yield p == null ? List.of() : List.of(p);
                }
                case TOWNSHIP -> {
                    List<TaskRow> schools = schoolsOfTownship.getOrDefault(t.unit(), List.of());
                    yield schools.isEmpty() ? centerOf(t) : schools;
                }
                case SCHOOL -> centerOf(t);
                case CENTER -> List.of();
            };
        }

        private List<TaskRow> centerOf(TaskRow t) {
            if (centers.size() <= 1) {
                return centers;
            }
            String county = county(t);
            return centers.stream().filter(c -> c.unit().startsWith(county)).toList();
        }

        long blockers(TaskRow t) {
            return children(t).stream().filter(c -> c.status() != TaskStatus.DONE).count();
        }

        long entries(TaskRow t) {
            return switch (t.step()) {
                case SURVEY -> entriesByVillage.getOrDefault(t.unit(), 0L);
                case TOWNSHIP -> entriesByTownship.getOrDefault(t.unit().substring(0, 9), 0L);
                case SCHOOL -> entriesBySchool.getOrDefault(t.unit(), 0L);
                case CENTER -> centers.size() <= 1 ? entries : entriesByCounty.getOrDefault(county(t), 0L);
            };
        }

        TaskRow task(long id) {
            TaskRow t = byId.get(id);
            if (t == null) {
                throw new NotFoundException("task");
            }
            return t;
        }
    }

    private static Role roleFor(Step step) {
        return switch (step) {
            case SURVEY -> Role.VILLAGE;
            case TOWNSHIP -> Role.TOWNSHIP;
            case SCHOOL -> Role.SCHOOL_REVIEWER;
            case CENTER -> Role.CENTER;
        };
    }

    /** Whether the user is the unit that carries out this task. */
    private static boolean owns(CurrentUser user, TaskRow t) {
        if (user.role() != roleFor(t.step())) {
            return false;
        }
        return t.step() == Step.SCHOOL
                ? user.scope().type() == Scope.Type.SCHOOL && t.unit().equals(user.scope().code())
                : user.scope().containsRegion(t.unit());
    }

    private boolean mayComplete(CurrentUser user, Graph g, TaskRow t) {
        return g.round.stage() == Stage.VERIFYING && owns(user, t) && t.status() != TaskStatus.DONE
                && g.blockers(t) == 0;
    }

    private boolean maySendBack(CurrentUser user, Graph g, TaskRow t) {
        if (g.round.stage() != Stage.VERIFYING || t.status() != TaskStatus.DONE) {
            return false;
        }
        List<TaskRow> parents = g.parents(t);
        return parents.stream().anyMatch(p -> owns(user, p) && p.status() != TaskStatus.DONE)
                && parents.stream().noneMatch(p -> p.status() == TaskStatus.DONE);
    }

    // ---------------------------------------------------------------- transitions

    @Override
    @Transactional
    public TaskView complete(CurrentUser user, long taskId, int expectedVersion, String remark) {
        Graph g = graphOfTask(user, taskId);
        TaskRow t = g.task(taskId);
        requireVerifying(g.round);
        if (!owns(user, t)) {
            throw new AccessDeniedException("task of another unit or step");
        }
        if (t.status() == TaskStatus.DONE) {
            throw new RuleViolationException("round.rule.alreadyDone");
        }
        long blockers = g.blockers(t);
        if (blockers > 0) {
            throw new RuleViolationException("round.rule.blocked", blockers);
        }
        if (t.step() == Step.SURVEY) {
            // The village submits what it has checked: every child of its list confirmed or flagged.
            long unchecked = surveys.unchecked(g.round.id(), t.unit());
            if (unchecked > 0) {
                throw new RuleViolationException("survey.rule.unchecked", unchecked);
            }
        }
        String note = remark == null || remark.isBlank() ? null : remark.strip();
        if (note != null && note.length() > 500) {
            throw new RuleViolationException("round.rule.remarkLength");
        }
        updateTask(t, expectedVersion, TaskStatus.DONE, note, t.reason(), user);
        audit.record("ROUND_TASK_COMPLETE", "round", String.valueOf(g.round.id()),
                details("step", t.step().name(), "unit", t.unit(), "remark", note));
        // The notice starts when the last aid center has verified (one for a county round, one per county above).
        boolean lastCenter = t.step() == Step.CENTER && g.centers.stream()
                .allMatch(c -> c.id() == t.id() || c.status() == TaskStatus.DONE);
        if (lastCenter) {
            LocalDate start = today();
            LocalDate end = calendar.lastDay(start, NOTICE_WORKING_DAYS);
            bumpRound(g.round.id(), g.round.version(), "stage = 'NOTICE', notice_start = :s, notice_end = :e",
                    Map.of("s", java.sql.Date.valueOf(start), "e", java.sql.Date.valueOf(end)));
            audit.record("ROUND_NOTICE_START", "round", String.valueOf(g.round.id()),
                    Map.of("from", start.toString(), "to", end.toString()));
        }
        return taskView(user, graphOfTask(user, taskId), taskId);
    }

    @Override
    @Transactional
    public TaskView sendBack(CurrentUser user, long taskId, int expectedVersion, String reason) {
        Graph g = graphOfTask(user, taskId);
        TaskRow t = g.task(taskId);
        requireVerifying(g.round);
        String why = reason == null ? "" : reason.strip();
        if (why.isEmpty()) {
            throw new RuleViolationException("round.rule.reasonRequired");
        }
        if (why.length() > 500) {
            throw new RuleViolationException("round.rule.reasonLength");
        }
        List<TaskRow> parents = g.parents(t);
        TaskRow own = parents.stream().filter(p -> owns(user, p)).findFirst()
                .orElseThrow(() -> new AccessDeniedException("not the unit above this task"));
        if (t.status() != TaskStatus.DONE) {
            throw new RuleViolationException("round.rule.notDone");
        }
        if (own.status() == TaskStatus.DONE) {
            throw new RuleViolationException("round.rule.ownDone");
        }
        for (TaskRow p : parents) {
            if (p.status() == TaskStatus.DONE) {
                throw new RuleViolationException("round.rule.reliedOn", unitName(p, g.names));
            }
        }
        updateTask(t, expectedVersion, TaskStatus.RETURNED, t.remark(), why, user);
        audit.record("ROUND_TASK_RETURN", "round", String.valueOf(g.round.id()),
                Map.of("step", t.step().name(), "unit", t.unit(), "reason", why));
        return taskView(user, graphOfTask(user, taskId), taskId);
    }

    @Override
    @Transactional
    public RoundView withdrawNotice(CurrentUser user, long roundId, int expectedVersion, String reason) {
        user.require(user.role() == Role.CENTER);
        RoundRow r = visibleRound(user, roundId);
        requireNotFinal(r);
        if (r.stage() != Stage.NOTICE) {
            throw new RuleViolationException("round.rule.notInNotice");
        }
        String why = reason == null ? "" : reason.strip();
        if (why.isEmpty() || why.length() > 500) {
            throw new RuleViolationException("round.rule.reasonRequired");
        }
        List<TaskRow> centers = taskRows(roundId).stream().filter(t -> t.step() == Step.CENTER).toList();
        if (!user.scope().containsRegion(r.scopeCode()) || !centers.stream().allMatch(c -> owns(user, c))) {
            throw new AccessDeniedException("not this round's aid center");
        }
        bumpRound(roundId, expectedVersion, "stage = 'VERIFYING', notice_start = NULL, notice_end = NULL", Map.of());
        for (TaskRow center : centers) {
            updateTask(center, center.version(), TaskStatus.RETURNED, center.remark(), why, user);
        }
        audit.record("ROUND_NOTICE_WITHDRAW", "round", String.valueOf(roundId), Map.of("reason", why));
        return round(user, roundId);
    }

    @Override
    @Transactional
    public RoundView finish(CurrentUser user, long roundId, int expectedVersion) {
        user.require(user.role() == Role.CENTER);
        RoundRow r = visibleRound(user, roundId);
        requireNotFinal(r);
        if (r.stage() != Stage.NOTICE) {
            throw new RuleViolationException("round.rule.notInNotice");
        }
        if (!today().isAfter(r.noticeEnd())) {
            throw new RuleViolationException("round.rule.noticeRunning", r.noticeEnd().toString());
        }
        if (!user.scope().containsRegion(r.scopeCode())) {
            throw new AccessDeniedException("not this round's aid center");
        }
        bumpRound(roundId, expectedVersion, "stage = 'FINAL', finished_at = :now",
                Map.of("now", Timestamp.from(clock.instant())));
        audit.record("ROUND_FINAL", "round", String.valueOf(roundId), Map.of("noticeEnd", r.noticeEnd().toString()));
        return round(user, roundId);
    }

    private static Map<String, Object> details(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put((String) kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    private void requireNotFinal(RoundRow r) {
        if (r.stage() == Stage.FINAL) {
            throw new RuleViolationException("round.rule.locked");
        }
    }

    private void requireVerifying(RoundRow r) {
        requireNotFinal(r);
        if (r.stage() == Stage.NOTICE) {
            throw new RuleViolationException("round.rule.inNotice");
        }
    }

    private void updateTask(TaskRow t, int expectedVersion, TaskStatus status, String remark, String reason,
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

    private void bumpRound(long id, int expectedVersion, String set, Map<String, Object> params) {
        int n = jdbc.sql("UPDATE ident_round SET " + set + ", version = version + 1 WHERE id = :id AND version = :v")
                .params(params).param("id", id).param("v", expectedVersion).update();
        if (n == 0) {
            throw new StaleEditException("round");
        }
    }

    private Graph graphOfTask(CurrentUser user, long taskId) {
        long roundId = jdbc.sql("SELECT round_id FROM ident_task WHERE id = :id").param("id", taskId)
                .query(Long.class).optional().orElseThrow(() -> new NotFoundException("task"));
        return new Graph(visibleRound(user, roundId));
    }

    // ---------------------------------------------------------------- reads

    @Override
    @Transactional(readOnly = true)
    public List<RoundView> list(CurrentUser user) {
        if (!user.role().seesChildren()) {
            return List.of();
        }
        List<RoundRow> rows = jdbc.sql("SELECT id FROM ident_round ORDER BY id DESC").query(Long.class).list()
                .stream().map(id -> findRound(id).orElseThrow()).filter(r -> overlaps(user.scope(), r.scopeCode()))
                .toList();
        return rows.stream().map(this::view).toList();
    }

    @Override
    @Transactional(readOnly = true)
    public RoundView round(CurrentUser user, long roundId) {
        return view(visibleRound(user, roundId));
    }

    private RoundView view(RoundRow r) {
        return new RoundView(r.id(), r.name(), r.schoolYear(), r.term(), r.scopeCode(), regionName(r.scopeCode()),
                r.modelVersion(), r.stage(), r.runs(), r.baseline(), r.noticeStart(), r.noticeEnd(), noticeUp(r),
                r.createdBy(), r.createdAt(), r.lastRunAt(), r.finishedAt(), r.version());
    }

    private boolean noticeUp(RoundRow r) {
        LocalDate today = today();
        return r.stage() == Stage.NOTICE && !today.isBefore(r.noticeStart()) && !today.isAfter(r.noticeEnd());
    }

    @Override
    @Transactional(readOnly = true)
    public List<TaskView> tasks(CurrentUser user, long roundId) {
        Graph g = new Graph(visibleRound(user, roundId));
        // County-level roles follow every unit; a village or township sees its own units even in a round that is
        // no bigger than itself.
        boolean countyWide = (user.role() == Role.CENTER || user.role() == Role.LEADER || user.role() == Role.EVALUATOR)
                && user.scope().type() == Scope.Type.REGION && user.scope().containsRegion(g.round.scopeCode());
        List<TaskView> out = new ArrayList<>();
        for (TaskRow t : g.tasks) {
            boolean visible = countyWide || owns(user, t) || switch (user.scope().type()) {
                case REGION -> t.step() != Step.SCHOOL && t.step() != Step.CENTER && user.scope().containsRegion(t.unit());
                case SCHOOL -> g.parents(t).stream().anyMatch(p -> p.step() == Step.SCHOOL
                        && p.unit().equals(user.scope().code()));
                case NONE -> false;
            };
            if (visible) {
                out.add(taskView(user, g, t.id()));
            }
        }
        return out;
    }

    private TaskView taskView(CurrentUser user, Graph g, long taskId) {
        TaskRow t = g.task(taskId);
        long[] checks = t.step() == Step.SURVEY ? g.surveyChecks.getOrDefault(t.unit(), new long[2]) : new long[2];
        return new TaskView(t.id(), g.round.id(), t.step(), t.unit(), unitName(t, g.names), t.status(), t.remark(), t.reason(),
                t.decidedBy(), t.decidedAt(), t.version(), g.entries(t), g.blockers(t), mayComplete(user, g, t),
                maySendBack(user, g, t), checks[0], checks[1]);
    }

    @Override
    @Transactional(readOnly = true)
    public Map<Step, Progress> progress(CurrentUser user, long roundId) {
        visibleRound(user, roundId);
        Map<Step, long[]> counts = new EnumMap<>(Step.class);
        for (Step s : Step.values()) {
            counts.put(s, new long[3]);
        }
        for (TaskRow t : taskRows(roundId)) {
            long[] c = counts.get(t.step());
            c[0]++;
            if (t.status() == TaskStatus.DONE) {
                c[1]++;
            } else if (t.status() == TaskStatus.RETURNED) {
                c[2]++;
            }
        }
        Map<Step, Progress> out = new EnumMap<>(Step.class);
        counts.forEach((s, c) -> out.put(s, new Progress(c[0], c[1], c[2])));
        return out;
    }

    private static ScopeFilter entryScope(CurrentUser user) {
        return ScopeFilter.children(user.childDataScope(), "x.school_code", "x.school_region_code", "x.village_code");
    }

    private static boolean maskNames(CurrentUser user) {
        return !org.fuzhi.platform.Privacy.of(user).fullNames();
    }

    @Override
    @Transactional(readOnly = true)
    public void forEachEntry(CurrentUser user, long roundId, java.util.function.Consumer<EntryFact> consumer) {
        visibleRound(user, roundId);
        ScopeFilter f = entryScope(user);
        jdbc.sql("SELECT x.* FROM ident_entry x WHERE x.round_id = :r AND " + f.sql() + " ORDER BY x.person_id")
                .params(f.params()).param("r", roundId).withFetchSize(2000).query(rs -> {
                    consumer.accept(new EntryFact(rs.getLong("person_id"), rs.getLong("student_id"),
                            rs.getString("name"), Source.valueOf(rs.getString("source")), rs.getString("category"),
                            rs.getString("level"), rs.getString("stage"), (Integer) rs.getObject("grade", Integer.class),
                            rs.getString("school_code"), rs.getString("school_region_code"),
                            rs.getString("village_code"), rs.getBoolean("outside_county")));
                });
    }

    @Override
    @Transactional(readOnly = true)
    public Page<EntryView> entries(CurrentUser user, long roundId, EntryQuery q, int page, int size) {
        visibleRound(user, roundId);
        ScopeFilter f = entryScope(user);
        StringBuilder where = new StringBuilder(" FROM ident_entry x WHERE x.round_id = :r AND ").append(f.sql());
        Map<String, Object> params = new HashMap<>(f.params());
        params.put("r", roundId);
        if (q.source() != null) {
            where.append(" AND x.source = :src");
            params.put("src", q.source().name());
        }
        if (q.level() != null && !q.level().isBlank()) {
            where.append(" AND x.level = :lvl");
            params.put("lvl", q.level());
        }
        if (q.schoolCode() != null && !q.schoolCode().isBlank()) {
            where.append(" AND x.school_code = :sc");
            params.put("sc", q.schoolCode());
        }
        if (q.text() != null && !q.text().isBlank()) {
            // The same privacy rule as the student search: a role that is shown masked names finds a child only by
            // the masked form it is shown, never by probing a name; %, _ are literal.
            var search = org.fuzhi.platform.Privacy.of(user).search(q.text());
            switch (search.kind()) {
                case NAME -> {
                    where.append(" AND x.name LIKE :txt ESCAPE '\\'");
                    params.put("txt", "%" + org.fuzhi.platform.Privacy.literalLike(search.value()) + "%");
                }
                case MASKED_NAME -> {
                    where.append(" AND x.name LIKE :first ESCAPE '\\' AND x.name LIKE :last ESCAPE '\\'"
                            + " AND CHAR_LENGTH(x.name) = :length");
                    params.put("first", org.fuzhi.platform.Privacy.literalLike(search.first()) + "%");
                    params.put("last", "%" + org.fuzhi.platform.Privacy.literalLike(search.last()));
                    params.put("length", search.length());
                }
                default -> where.append(" AND 1=0");
            }
        }
        long total = jdbc.sql("SELECT COUNT(*)" + where).params(params).query(Long.class).single();
        boolean mask = maskNames(user);
        Names names = new Names();
        List<EntryView> items = jdbc.sql("SELECT x.*" + where
                        + " ORDER BY x.source, x.school_code, x.stage, x.grade, x.name, x.person_id LIMIT :lim OFFSET :off")
                .params(params).param("lim", size).param("off", (long) page * size)
                .query((rs, n) -> {
                    String deprived = rs.getString("deprived");
                    String village = rs.getString("village_code");
                    String school = rs.getString("school_code");
                    return new EntryView(rs.getLong("student_id"), mask ? Masking.name(rs.getString("name"))
                            : rs.getString("name"), Source.valueOf(rs.getString("source")), rs.getString("category"),
                            village, names.region(village), school, names.school(school),
                            rs.getBoolean("outside_county"), rs.getString("stage"),
                            (Integer) rs.getObject("grade", Integer.class), rs.getDouble("score"), rs.getString("level"),
                            deprived == null || deprived.isEmpty() ? List.of() : Arrays.asList(deprived.split(",")));
                }).list();
        return new Page<>(items, total, page, size);
    }

    @Override
    @Transactional(readOnly = true)
    public Summary summary(CurrentUser user, long roundId) {
        RoundRow r = visibleRound(user, roundId);
        ScopeFilter f = entryScope(user);
        long[] c = new long[4];
        Map<String, Long> byStage = new TreeMap<>();
        Map<String, Long> levels = new HashMap<>();
        jdbc.sql("""
                SELECT x.source, x.stage, x.level, x.outside_county, COUNT(*) AS n FROM ident_entry x
                WHERE x.round_id = :r AND""" + " " + f.sql() + " GROUP BY x.source, x.stage, x.level, x.outside_county")
                .params(f.params()).param("r", roundId).query(rs -> {
                    long n = rs.getLong("n");
                    c[0] += n;
                    boolean roster = "ROSTER".equals(rs.getString("source"));
                    c[roster ? 1 : 2] += n;
                    if (rs.getBoolean("outside_county")) {
                        c[3] += n;
                    }
                    if (roster) {
                        byStage.merge(org.fuzhi.common.Stage.valueOf(rs.getString("stage")).statGroup().name(), n, Long::sum);
                    }
                    String level = rs.getString("level");
                    levels.merge(level == null ? "" : level, n, Long::sum);
                });
        Map<ChangeKind, Long> changes = new EnumMap<>(ChangeKind.class);
        for (ChangeView ch : changes(user, roundId)) {
            changes.merge(ch.kind(), 1L, Long::sum);
        }
        // In the order people read them: stages from kindergarten up, levels from the most severe down.
        Map<String, Long> stages = new LinkedHashMap<>();
        for (org.fuzhi.common.Stage.StatGroup g : org.fuzhi.common.Stage.StatGroup.values()) {
            if (byStage.containsKey(g.name())) {
                stages.put(g.name(), byStage.get(g.name()));
            }
        }
        Map<String, Long> orderedLevels = new LinkedHashMap<>();
        models.defaultModel().model().bands().stream()
                .sorted(java.util.Comparator.comparingDouble(AssessmentModel.Band::min).reversed())
                .forEach(b -> {
                    if (levels.containsKey(b.level())) {
                        orderedLevels.put(b.level(), levels.remove(b.level()));
                    }
                });
        orderedLevels.putAll(new TreeMap<>(levels));
        return new Summary(c[0], c[1], c[2], c[3], stages, orderedLevels, cases.openCount(user.childDataScope(),
                r.scopeCode()), changes);
    }

    @Override
    @Transactional(readOnly = true)
    public List<ChangeView> changes(CurrentUser user, long roundId) {
        RoundRow r = visibleRound(user, roundId);
        Scope scope = user.childDataScope();
        String filter;
        Map<String, Object> params = new HashMap<>();
        switch (scope.type()) {
            case SCHOOL -> {
                filter = "(old_school = :sc OR new_school = :sc)";
                params.put("sc", scope.code());
            }
            case REGION -> {
                filter = scope.containsRegion(r.scopeCode()) ? "1=1" : "village_code LIKE :p";
                params.put("p", scope.regionPrefix() + "%");
            }
            default -> filter = "1=0";
        }
        boolean mask = maskNames(user);
        Names names = new Names();
        return jdbc.sql("SELECT * FROM ident_change WHERE round_id = :r AND run_no = :run AND " + filter
                        + " ORDER BY kind, name, id").params(params).param("r", roundId).param("run", r.runs())
                .query((rs, n) -> new ChangeView(ChangeKind.valueOf(rs.getString("kind")),
                        mask ? Masking.name(rs.getString("name")) : rs.getString("name"),
                        names.school(rs.getString("old_school")), names.school(rs.getString("new_school")),
                        rs.getString("old_level"), rs.getString("new_level"))).list();
    }

    @Override
    @Transactional // the export is recorded in the audit log
    public long exportEntries(CurrentUser user, long roundId, EntryQuery q, java.io.OutputStream out,
                              java.util.Locale locale) {
        RoundRow r = visibleRound(user, roundId);
        List<String> header = List.of("student.name", "round.source", "round.category", "student.school",
                "student.stage", "student.grade", "household.region", "round.level", "round.score", "round.deprived")
                .stream().map(k -> messages.getMessage(k, null, locale)).toList();
        long rows = 0;
        try (var x = new org.fuzhi.platform.Xlsx(out, r.name(), header)) {
            for (int page = 0; ; page++) {
                Page<EntryView> p = entries(user, roundId, q, page, 1000);
                for (EntryView e : p.items()) {
                    x.row(java.util.Arrays.asList(e.name(),
                            messages.getMessage("enum.Source." + e.source(), null, locale),
                            e.category() == null ? "" : messages.getMessage("enum.PovertyCategory." + e.category(),
                                    null, e.category(), locale),
                            e.schoolName(), messages.getMessage("enum.Stage." + e.stage(), null, e.stage(), locale),
                            e.grade() == null ? "" : String.valueOf(e.grade()),
                            e.villageName() == null ? "" : e.villageName(), e.level() == null ? "" : e.level(),
                            String.format(java.util.Locale.ROOT, "%.2f", e.score()),
                            String.join("、", e.deprived().stream().map(d -> messages.getMessage("indicator." + d,
                                    null, d, locale)).toList())));
                    rows++;
                }
                if (!p.hasNext()) {
                    break;
                }
            }
        }
        audit.record("ROUND_EXPORT", "round", String.valueOf(roundId),
                details("rows", rows, "source", q.source() == null ? null : q.source().name()));
        return rows;
    }

    @Override
    @Transactional(readOnly = true)
    public List<Pending> pending(CurrentUser user) {
        List<Pending> out = new ArrayList<>();
        for (RoundView r : list(user)) {
            if (r.stage() == Stage.FINAL || out.size() >= 5) {
                continue;
            }
            List<TaskView> open = r.stage() != Stage.VERIFYING ? List.of() : tasks(user, r.id()).stream()
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

    // ---------------------------------------------------------------- names

    private String unitName(TaskRow t, Names names) {
        return switch (t.step()) {
            case SCHOOL -> names.school(t.unit());
            // village names repeat from township to township (新华社区 in each): name the township too
            case SURVEY -> names.region(new RegionCode(t.unit()).parentCode()) + " " + names.region(t.unit());
            default -> names.region(t.unit());
        };
    }

    private String regionName(String code) {
        return code == null ? null : directory.region(code).map(RegionView::name).orElse(code);
    }

    /** Region and school names for one request, looked up once each. */
    private final class Names {
        private final Map<String, String> regions = new HashMap<>();
        private final Map<String, String> schools = new HashMap<>();

        String region(String code) {
            return code == null ? null : regions.computeIfAbsent(code, RoundService.this::regionName);
        }

        String school(String code) {
            return code == null ? null : schools.computeIfAbsent(code,
                    c -> directory.school(c).map(SchoolView::name).orElse(c));
        }
    }
}
