package org.fuzhi.identification.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.fuzhi.identification.Assessment;
import org.fuzhi.identification.AssessmentModel;
import org.fuzhi.identification.Rounds.Source;
import org.fuzhi.platform.BulkRows;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.Scope;
import org.fuzhi.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One run of a round: assess the scope's students under the published model, write the entries, compare them
 * with the previous ones, lay out the tasks afresh ({@link TaskPlanner}) and open the suspected dropout cases.
 * Runs inside the round's transaction; the caller has linked the roster before.
 */
@Component
class RoundRun {

    private static final Logger LOG = LoggerFactory.getLogger(RoundRun.class);
    private static final int BATCH = 1000;

    /** Readers of the students, each on its own connection: reading and scoring overlap with writing entries. */
    static final int READERS = 2;
    /**
     * Parts the students are read in, taken by whichever reader is free: person-ID ranges hold unequal numbers of
     * students, and with one part per reader the province's second reader finished ~8 s after the first.
     */
    static final int SLICES = 8;

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final Registry registry;
    private final AlkireFoster engine;
    private final DropoutCases cases;
    private final SourceListFlags lists;
    private final PlatformTransactionManager transactions;
    private final BulkRows bulk;
    private final TaskPlanner planner;

    RoundRun(JdbcClient jdbc, JdbcTemplate template, Registry registry, AlkireFoster engine, DropoutCases cases,
             SourceListFlags lists, PlatformTransactionManager transactions, BulkRows bulk, TaskPlanner planner) {
        this.jdbc = jdbc;
        this.template = template;
        this.registry = registry;
        this.engine = engine;
        this.cases = cases;
        this.lists = lists;
        this.transactions = transactions;
        this.bulk = bulk;
        this.planner = planner;
    }

    /** @param resetUnits the units whose finished verification the run had to reset (names, for the user) */
    record RunStats(long entries, long changes, long casesOpened, List<String> resetUnits) {
    }

    /** The entries a run is compared with: another round's, or this round's previous run copied aside. */
    record Previous(String table, long roundId) {
    }

    /** One identified student as the run computes it. */
    private record Entry(long studentId, long personId, Source source, String category, String name,
                         String villageCode, String schoolCode, String schoolRegionCode, boolean outsideCounty,
                         String stage, Integer grade, double score, String level, List<String> deprived) {
    }

    /**
     * Assess, classify, diff; then the tasks of every unit concerned start afresh.
     *
     * @param model the published model as the caller read it once for this run (its version is the round's)
     */
    RunStats run(long roundId, String scopeCode, int runNo, Previous previous, AssessmentModel model) {
        Scope scope = Scope.region(scopeCode);
        var progress = Jobs.progress();
        progress.phase("job.phase.assess");
        long t1 = System.nanoTime();
        jdbc.sql("DELETE FROM ident_entry WHERE round_id = :r").param("r", roundId).update();
        long written = assess(scope, roundId, model);
        long t2 = System.nanoTime();
        long changes = 0;
        if (previous != null) {
            progress.phase("job.phase.diff");
            // Fresh planner statistics for the tables just rewritten: without them PostgreSQL plans the diff's
            // anti-joins over a table it believes empty as nested loops (minutes over a province's 856k entries).
            bulk.analyze("ident_entry", previous.table());
            changes = diff(roundId, runNo, previous);
        }
        long t3 = System.nanoTime();
        progress.phase("job.phase.tasks");
        List<String> reset = planner.plan(roundId, scopeCode,
                previous != null && previous.roundId() == roundId ? runNo : 0);
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

    /**
     * Streams the scope's students past the model in {@link #SLICES} parts read by {@link #READERS} parallel readers
     * (each in its own read-only transaction, with its own scorer) and writes the round's entries — roster children
     * always, others when the model rates them as hardship — from this thread, in the round's transaction, as they
     * come. A county reads in under a second; a province's 10M students are where the parallelism pays.
     */
    private long assess(Scope scope, long roundId, AssessmentModel model) {
        String lowestBand = lowestBand(model);
        var listed = lists.load();
        var handoff = new Handoff<List<Entry>>(32, "assessment");
        var readTx = new TransactionTemplate(transactions);
        readTx.setReadOnly(true);
        var subjects = registry.assessmentSubjects(scope);
        var nextSlice = new AtomicInteger();
        // The bar moves by parts read; the readers count, the writer (the job's own thread) reports.
        var slicesRead = new AtomicInteger();
        var progress = Jobs.progress();
        progress.total(SLICES);
        List<Supplier<Void>> readers = new ArrayList<>();
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
    private static Entry entry(Registry.AssessmentSubject s, AlkireFoster.Scorer scorer,
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

    /** The least severe level: a registered-poor child is at least this by policy. */
    static String lowestBand(AssessmentModel model) {
        return model.bands().stream().min(Comparator.comparingDouble(AssessmentModel.Band::min))
                .map(AssessmentModel.Band::level).orElse(null);
    }

    private void insertEntries(long roundId, List<Entry> entries) {
        String sql = """
                INSERT INTO ident_entry (round_id, student_id, person_id, source, category, name, village_code,
                    school_code, school_region_code, outside_county, stage, grade, score, level, deprived)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
        for (int from = 0; from < entries.size(); from += BATCH) {
            List<Entry> chunk = entries.subList(from, Math.min(entries.size(), from + BATCH));
            template.batchUpdate(sql, chunk, chunk.size(), (ps, e) -> {
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
                ps.setObject(12, e.grade(), Types.INTEGER);
                ps.setBigDecimal(13, BigDecimal.valueOf(e.score()).setScale(4, RoundingMode.HALF_UP));
                ps.setString(14, e.level());
                ps.setString(15, String.join(",", e.deprived()));
            });
        }
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
}
