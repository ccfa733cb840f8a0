package org.fuzhi.aid.internal;

import java.io.OutputStream;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.fuzhi.aid.Catalog;
import org.fuzhi.aid.Funds;
import org.fuzhi.aid.Terms;
import org.fuzhi.common.Masking;
import org.fuzhi.common.Page;
import org.fuzhi.common.RegionCode;
import org.fuzhi.common.Stage;
import org.fuzhi.identification.Rounds;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.BulkRows;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Privacy;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.ScopeFilter;
import org.fuzhi.platform.Xlsx;
import org.fuzhi.region.Directory;
import org.fuzhi.region.SchoolView;
import org.fuzhi.registry.EnrolmentStatus;
import org.fuzhi.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Terms, their entitlements and the 应助尽助 list, in {@code aid_term}, {@code aid_entitlement}, {@code aid_missed}. */
@Service
@Transactional(readOnly = true)
class TermService implements Terms {

    private static final Logger log = LoggerFactory.getLogger(TermService.class);
    private static final int BATCH = 5000;
    /** A generation that writes at least this many rows refreshes PostgreSQL's statistics of the aid tables. */
    private static final int ANALYZE_AFTER_ROWS = 10_000;

    private final JdbcClient jdbc;
    private final CatalogStore catalog;
    private final Rounds rounds;
    private final Registry registry;
    private final Directory directory;
    private final AuditLog audit;
    private final FundService funds;
    private final MessageSource messages;
    private final BulkRows bulk;

    TermService(JdbcClient jdbc, CatalogStore catalog, Rounds rounds, Registry registry,
                Directory directory, AuditLog audit, FundService funds,
                MessageSource messages, BulkRows bulk) {
        this.messages = messages;
        this.bulk = bulk;
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.rounds = rounds;
        this.registry = registry;
        this.directory = directory;
        this.audit = audit;
        this.funds = funds;
    }

    record TermRow(long id, String scopeCode, int schoolYear, Term term, String termCode, long roundId,
                           Status status, int entitled, int children, int missed, int duplicates, String openedBy, Instant openedAt,
                           Instant generatedAt, Instant allocatedAt, int version) {
    }

    private static Instant instant(ResultSet rs, String col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }

    private static TermRow row(ResultSet rs, int n) throws SQLException {
        return new TermRow(rs.getLong("id"), rs.getString("scope_code"), rs.getInt("school_year"),
                Term.valueOf(rs.getString("term")), rs.getString("term_code"), rs.getLong("round_id"),
                Status.valueOf(rs.getString("status")), rs.getInt("entitled"), rs.getInt("children"), rs.getInt("missed"),
                rs.getInt("duplicates"), rs.getString("opened_by"), instant(rs, "opened_at"),
                instant(rs, "generated_at"), instant(rs, "allocated_at"), rs.getInt("version"));
    }

    static String termCode(int schoolYear, Term term) {
        return schoolYear + "-" + term.name();
    }

    private static void requireCenter(CurrentUser user) {
        user.require(user.role() == Role.CENTER && user.scope().type() == Scope.Type.REGION);
    }

    /** A term is seen by the centers, leaders and evaluators of an area holding it, and by its schools. */
    TermRow visible(CurrentUser user, long termId) {
        CatalogStore.requireReader(user);
        TermRow t = jdbc.sql("SELECT * FROM aid_term WHERE id = :id").param("id", termId).query(TermService::row)
                .optional().orElseThrow(() -> new NotFoundException("aid term"));
        boolean ok = switch (user.scope().type()) {
            case REGION -> user.scope().containsRegion(t.scopeCode());
            case SCHOOL -> directory.school(user.scope().code())
                    .map(s -> s.regionCode() != null && s.regionCode().startsWith(
                            new RegionCode(t.scopeCode()).prefix())).orElse(false);
            case NONE -> false;
        };
        if (!ok) {
            throw new NotFoundException("aid term");
        }
        return t;
    }

    private TermView view(CurrentUser user, TermRow t) {
        String roundName;
        try {
            roundName = rounds.round(user, Rounds.RoundId.of(t.roundId())).name();
        } catch (RuntimeException e) {
            roundName = null;
        }
        return new TermView(t.id(), t.scopeCode(), directory.region(t.scopeCode()).map(r -> r.name()).orElse(t.scopeCode()),
                t.schoolYear(), t.term(), t.termCode(), t.roundId(), roundName, t.status(), t.entitled(), t.children(),
                t.missed(),
                t.duplicates(), t.openedBy(), t.openedAt(), t.generatedAt(), t.allocatedAt(), t.version());
    }

    @Override
    @Transactional
    public TermView open(CurrentUser user, NewTerm nt) {
        requireCenter(user);
        String scope = nt.scopeCode() == null || nt.scopeCode().isBlank() ? user.scope().code() : nt.scopeCode();
        if (!user.scope().containsRegion(scope)) {
            throw new AccessDeniedException("term outside scope");
        }
        if (nt.term() == null || nt.schoolYear() < 2000 || nt.schoolYear() > 2100) {
            throw new RuleViolationException("aid.rule.termYear");
        }
        Rounds.RoundView round = rounds.round(user, Rounds.RoundId.of(nt.roundId()));
        if (round.stage() != Rounds.Stage.FINAL) {
            throw new RuleViolationException("aid.rule.roundNotFinal", round.name());
        }
        if (!scope.startsWith(new RegionCode(round.scopeCode()).prefix())) {
            throw new RuleViolationException("aid.rule.roundArea", round.name());
        }
        String code = termCode(nt.schoolYear(), nt.term());
        boolean exists = jdbc.sql("SELECT COUNT(*) FROM aid_term WHERE scope_code = :s AND term_code = :c")
                .param("s", scope).param("c", code).query(Long.class).single() > 0;
        if (exists) {
            throw new RuleViolationException("aid.rule.termExists", code);
        }
        try {
            jdbc.sql("""
                    INSERT INTO aid_term (scope_code, school_year, term, term_code, round_id, status, opened_by, opened_at)
                    VALUES (:s, :y, :t, :c, :r, 'OPEN', :by, :at)""").param("s", scope).param("y", nt.schoolYear())
                    .param("t", nt.term().name()).param("c", code).param("r", nt.roundId()).param("by", user.username())
                    .param("at", Timestamp.from(Instant.now())).update();
        } catch (DuplicateKeyException e) {
            // the same term opened at the same moment by another request
            throw new RuleViolationException("aid.rule.termExists", code);
        }
        TermRow t = jdbc.sql("SELECT * FROM aid_term WHERE scope_code = :s AND term_code = :c").param("s", scope)
                .param("c", code).query(TermService::row).single();
        audit.record("AID_TERM_OPENED", "aidTerm", String.valueOf(t.id()), Map.of("term", code, "scope", scope,
                "round", nt.roundId()));
        return view(user, t);
    }

    @Override
    public List<TermView> list(CurrentUser user) {
        CatalogStore.requireReader(user);
        List<TermRow> rows = jdbc.sql("SELECT * FROM aid_term ORDER BY school_year DESC, CASE term WHEN 'SPRING' THEN 0 ELSE 1 END, scope_code")
                .query(TermService::row).list();
        List<TermView> out = new ArrayList<>();
        for (TermRow r : rows) {
            try {
                out.add(view(user, visible(user, r.id())));
            } catch (NotFoundException e) {
                // outside the user's area
            }
        }
        return out;
    }

    @Override
    public TermView term(CurrentUser user, long termId) {
        return view(user, visible(user, termId));
    }

    @Override
    @Transactional
    public TermView generate(CurrentUser user, long termId) {
        requireCenter(user);
        Jobs.progress().phase("job.phase.generate");
        TermRow t = visible(user, termId);
        lock(t);
        long start = System.nanoTime();
        // The look-ups by person are index look-ups whatever the statistics say: a term's first generation starts
        // on a table PostgreSQL last saw empty, and a sequential scan per batch made a province term quadratic.
        indexLookups();
        LocalDate day = Eligibility.termStart(t.schoolYear(), t.term());
        List<Catalog.Item> items = catalog.allCurrent().stream()
                .filter(i -> CatalogStore.applies(i.scopeCode(), t.scopeCode()) && CatalogStore.effectiveOn(i, day))
                .toList();
        // Every current item by code, to know the group and exclusions of what a child already holds elsewhere.
        Map<String, Catalog.Item> byCode = new HashMap<>();
        catalog.allCurrent().forEach(i -> byCode.put(i.code(), i));
        // The round's entries of the term's area, as the term's own county center sees them.
        CurrentUser area = new CurrentUser(user.id(), user.username(), user.displayName(), Role.CENTER,
                Scope.region(t.scopeCode()));
        long kept = jdbc.sql("SELECT COUNT(*) FROM aid_entitlement WHERE term_id = :t AND status <> 'DUE'")
                .param("t", termId).query(Long.class).single();
        // Re-generation: what is still only due is written again from today's facts; what money was allocated to
        // stays as it is.
        jdbc.sql("DELETE FROM aid_entitlement WHERE term_id = :t AND status = 'DUE'").param("t", termId).update();
        jdbc.sql("DELETE FROM aid_missed WHERE term_id = :t").param("t", termId).update();
        int[] counts = new int[4]; // attempted, missed, duplicates seen before writing, children with a row made
        long[] nanos = new long[5]; // waiting for enrolments, held items, eligibility, entitlements written, missed
        // Entitlements by COPY; a batch that meets another term's key is written at the end, without the refused rows.
        BulkRows.Staged staged = bulk.stage("aid_entitlement", ENTITLEMENT_COLUMNS);
        // Each batch's current enrolments are read on a second connection while the batch before is decided and
        // written: the look-ups are a third of a province's generation and wait on the database, not on this thread.
        // They read committed facts only, as this transaction would.
        ExecutorService lookups = Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "aid-generate-enrolments");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Rounds.EntryFact> pending = new ArrayList<>(BATCH);
            Prefetched[] previous = {null};
            Consumer<List<Rounds.EntryFact>> next = batch -> {
                List<Long> ids = batch.stream().map(Rounds.EntryFact::personId).toList();
                Prefetched p = new Prefetched(batch, lookups.submit(() -> registry.currentEnrolments(ids)));
                if (previous[0] != null) {
                    writeBatch(t, items, byCode, previous[0], counts, nanos, staged);
                }
                previous[0] = p;
            };
            rounds.forEachEntry(area, Rounds.RoundId.of(t.roundId()), e -> {
                pending.add(e);
                if (pending.size() == BATCH) {
                    next.accept(List.copyOf(pending));
                    pending.clear();
                }
            });
            if (!pending.isEmpty()) {
                next.accept(List.copyOf(pending));
            }
            if (previous[0] != null) {
                writeBatch(t, items, byCode, previous[0], counts, nanos, staged);
            }
        } finally {
            lookups.shutdownNow();
        }
        long writing = System.nanoTime();
        long written = staged.insertSkippingDuplicates();
        nanos[3] += System.nanoTime() - writing;
        if (counts[0] >= ANALYZE_AFTER_ROWS) {
            // The allocation that follows reads the term in id order; planned on statistics that still show the
            // table as it was before (empty, on a new database), each of its chunks read the whole term: 20 s of a
            // province's allocation.
            bulk.analyze("aid_entitlement", "aid_missed");
        }
        int entitled;
        int children;
        if (kept == 0 && written == counts[0]) {
            // Every row made was written and nothing was there before: the term holds exactly what was made, for
            // one child per entry with aid (the round holds a child once). Two scans of the term spared.
            entitled = counts[0];
            children = counts[3];
        } else {
            entitled = jdbc.sql("SELECT COUNT(*) FROM aid_entitlement WHERE term_id = :t").param("t", termId)
                    .query(Integer.class).single();
            children = jdbc.sql("SELECT COUNT(DISTINCT person_id) FROM aid_entitlement WHERE term_id = :t")
                    .param("t", termId).query(Integer.class).single();
        }
        // Refused by the key while writing: taken by another term between the look-up and the insert.
        counts[2] += (int) (counts[0] - (entitled - kept));
        jdbc.sql("""
                UPDATE aid_term SET status = CASE WHEN status = 'OPEN' THEN 'GENERATED' ELSE status END,
                    entitled = :e, children = :c, missed = :m, duplicates = :d, generated_at = :at,
                    version = version + 1
                WHERE id = :id""").param("e", entitled).param("c", children).param("m", counts[1]).param("d", counts[2])
                .param("at", Timestamp.from(Instant.now())).param("id", termId).update();
        audit.record("AID_TERM_GENERATED", "aidTerm", String.valueOf(termId), Map.of("entitlements", entitled,
                "missed", counts[1], "duplicatesPrevented", counts[2], "kept", kept));
        log.info("aid term {} generated: {} entitlements, {} without aid, {} duplicates prevented in {} ms (enrolments {} "
                        + "ms waited, held items {} ms, eligibility {} ms, entitlements written {} ms, missed written {} ms)",
                t.termCode(), entitled, counts[1], counts[2], (System.nanoTime() - start) / 1_000_000,
                nanos[0] / 1_000_000, nanos[1] / 1_000_000, nanos[2] / 1_000_000, nanos[3] / 1_000_000,
                nanos[4] / 1_000_000);
        return term(user, termId);
    }

    private void indexLookups() {
        if (bulk.postgres()) {
            jdbc.sql("SET LOCAL enable_seqscan = off").update();
        }
    }

    /** One generation or allocation of a term at a time, across instances: the term's row is the lock. */
    private void lock(TermRow t) {
        jdbc.sql("SELECT id FROM aid_term WHERE id = :id FOR UPDATE").param("id", t.id()).query(Long.class).single();
    }

    /** A batch of the round's entries with the look-up of their current enrolments, running or done. */
    private record Prefetched(List<Rounds.EntryFact> entries,
                              Future<Map<Long, Registry.CurrentEnrolment>> enrolments) {

        Map<Long, Registry.CurrentEnrolment> now() {
            try {
                return enrolments.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading enrolments", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
    }

    private void writeBatch(TermRow t, List<Catalog.Item> items, Map<String, Catalog.Item> byCode,
                            Prefetched batch, int[] counts, long[] nanos, BulkRows.Staged staged) {
        List<Rounds.EntryFact> entries = batch.entries();
        long t0 = System.nanoTime();
        // Waited for, not read: what the look-up still took after the batch before was written.
        Map<Long, Registry.CurrentEnrolment> now = batch.now();
        long t1 = System.nanoTime();
        // What this term already holds (allocated, kept through a re-generation) and what others hold of the same
        // term code: the database key refuses both, and a refused row counts as a duplicate prevented.
        Map<Long, Set<String>> heldElsewhere = new HashMap<>();
        Map<Long, Set<String>> heldHere = new HashMap<>();
        List<Long> ids = entries.stream().map(Rounds.EntryFact::personId).toList();
        jdbc.sql("SELECT person_id, item_code, term_id FROM aid_entitlement WHERE term_code = :c AND person_id IN (:p)")
                .param("c", t.termCode()).param("p", ids).query(rs -> {
                    (rs.getLong(3) == t.id() ? heldHere : heldElsewhere)
                            .computeIfAbsent(rs.getLong(1), k -> new HashSet<>()).add(rs.getString(2));
                });
        long t2 = System.nanoTime();
        Timestamp at = Timestamp.from(Instant.now());
        List<Object[]> rows = new ArrayList<>();
        List<Object[]> missed = new ArrayList<>();
        for (Rounds.EntryFact e : entries) {
            Registry.CurrentEnrolment en = now.get(e.personId());
            if (en == null || en.status() != EnrolmentStatus.IN_SCHOOL) {
                // A child holding aid allocated before they left is listed by the aid they hold, not as missed.
                if (!heldHere.containsKey(e.personId())) {
                    missed.add(missedRow(t, e, en, en == null ? MissedReason.NOT_ENROLLED : MissedReason.LEFT_SCHOOL));
                }
                continue;
            }
            Set<String> elsewhere = heldElsewhere.getOrDefault(e.personId(), Set.of());
            Set<String> here = heldHere.getOrDefault(e.personId(), Set.of());
            // Paid where the child is now: a transfer since the round moves the entitlement to the new school; a
            // child who now neither lives nor studies in the term's area is not this term's to pay.
            String prefix = new RegionCode(t.scopeCode()).prefix();
            boolean inArea = (en.schoolRegionCode() != null && en.schoolRegionCode().startsWith(prefix))
                    || (en.residence() != null && en.residence().startsWith(prefix));
            if (!inArea) {
                if (here.isEmpty()) {
                    missed.add(missedRow(t, e, en, MissedReason.MOVED_AWAY));
                }
                continue;
            }
            var child = new Eligibility.Child(e.source().name(), e.level(), e.category(), en.stage(), en.grade(),
                    en.boarding(), en.outsideCounty(), en.schoolRegionCode());
            // What the child already holds this term — kept here through a re-generation, or held in another
            // county's term — counts first for the groups and exclusions.
            List<Catalog.Item> hereItems = known(here, byCode);
            List<Catalog.Item> all = new ArrayList<>(hereItems);
            all.addAll(known(elsewhere, byCode));
            List<Eligibility.Held> held = Eligibility.held(items, child, t.term(), all);
            // What this term would give ignoring other terms, less what it gives: held elsewhere, prevented here.
            counts[2] += (int) Eligibility.held(items, child, t.term(), hereItems).stream()
                    .filter(h -> held.stream().noneMatch(g -> g.item().code().equals(h.item().code()))).count();
            if (held.isEmpty()) {
                if (here.isEmpty()) {
                    MissedReason reason = !elsewhere.isEmpty() ? MissedReason.ENTITLED_ELSEWHERE
                            : en.stage().statGroup() == Stage.StatGroup.HIGHER
                            ? MissedReason.HIGHER_EDUCATION : MissedReason.NO_ITEM;
                    missed.add(missedRow(t, e, en, reason));
                }
                continue;
            }
            counts[3]++;
            for (Eligibility.Held h : held) {
                rows.add(new Object[]{t.id(), t.termCode(), e.personId(), en.studentId(), e.name(), en.schoolCode(),
                        en.residence() != null ? en.residence() : e.villageCode(), en.stage().name(), en.grade(),
                        e.source().name(), Eligibility.effectiveLevel(child), h.item().id(), h.item().code(),
                        h.item().kind().name(), h.amount().toBigDecimal(), "DUE", at});
            }
        }
        // A row another term took meanwhile (a concurrent generation after a transfer) is refused by the key alone,
        // without failing the rest; the caller counts the refused rows from what was attempted and what was written.
        long t3 = System.nanoTime();
        staged.add(rows);
        counts[0] += rows.size();
        long t4 = System.nanoTime();
        bulk.insert("aid_missed", MISSED_COLUMNS, missed);
        nanos[0] += t1 - t0;
        nanos[1] += t2 - t1;
        nanos[2] += t3 - t2;
        nanos[3] += t4 - t3;
        nanos[4] += System.nanoTime() - t4;
        counts[1] += missed.size();
    }

    private static final List<String> ENTITLEMENT_COLUMNS = List.of("term_id", "term_code", "person_id", "student_id",
            "name", "school_code", "region_code", "stage", "grade", "source", "level", "item_id", "item_code", "kind",
            "amount", "status", "created_at");
    private static final List<String> MISSED_COLUMNS = List.of("term_id", "person_id", "student_id", "name",
            "school_code", "stage", "grade", "level", "reason", "region_code");

    private static List<Catalog.Item> known(Set<String> codes, Map<String, Catalog.Item> byCode) {
        List<Catalog.Item> out = new ArrayList<>(codes.size());
        for (String code : codes) {
            Catalog.Item i = byCode.get(code);
            if (i != null) {
                out.add(i);
            }
        }
        return out;
    }

    private static Object[] missedRow(TermRow t, Rounds.EntryFact e, Registry.CurrentEnrolment en, MissedReason r) {
        return new Object[]{t.id(), e.personId(), en != null ? en.studentId() : e.studentId(), e.name(),
                en != null ? en.schoolCode() : e.schoolCode(), en != null ? en.stage().name() : e.stage(),
                en != null ? en.grade() : e.grade(), e.level(), r.name(),
                en != null && en.residence() != null ? en.residence() : e.villageCode()};
    }

    @Override
    @Transactional
    public AllocationReport allocate(CurrentUser user, long termId) {
        requireCenter(user);
        Jobs.progress().phase("job.phase.allocate");
        TermRow t = visible(user, termId);
        lock(t);
        if (t.status() == Status.OPEN) {
            throw new RuleViolationException("aid.rule.notGenerated");
        }
        int budgetYear = t.term() == Term.AUTUMN ? t.schoolYear() : t.schoolYear() + 1;
        funds.allocate(user, t.id(), t.scopeCode(), budgetYear);
        jdbc.sql("UPDATE aid_term SET status = 'ALLOCATED', allocated_at = :at, version = version + 1 WHERE id = :id")
                .param("at", Timestamp.from(Instant.now())).param("id", termId).update();
        return report(user, termId, budgetYear);
    }

    private AllocationReport report(CurrentUser user, long termId, int budgetYear) {
        TermView tv = term(user, termId);
        Map<String, BigDecimal> byItem = new LinkedHashMap<>();
        Map<String, BigDecimal> bySchool = new LinkedHashMap<>();
        BigDecimal[] totals = {BigDecimal.ZERO, BigDecimal.ZERO};
        long[] n = {0};
        jdbc.sql("""
                SELECT item_code, school_code, SUM(amount) AS amount, SUM(allocated) AS allocated, COUNT(*) AS n
                FROM aid_entitlement WHERE term_id = :t AND kind = 'CASH' GROUP BY item_code, school_code
                ORDER BY item_code, school_code""").param("t", termId).query(rs -> {
            BigDecimal amount = rs.getBigDecimal("amount");
            BigDecimal allocated = rs.getBigDecimal("allocated");
            BigDecimal gap = amount.subtract(allocated);
            totals[0] = totals[0].add(allocated);
            totals[1] = totals[1].add(gap);
            n[0] += rs.getLong("n");
            if (gap.signum() > 0) {
                byItem.merge(rs.getString("item_code"), gap, BigDecimal::add);
                bySchool.merge(rs.getString("school_code"), gap, BigDecimal::add);
            }
        });
        List<Funds.FundView> fs = funds.list(user, budgetYear).stream()
                .filter(f -> f.scopeCode().equals(tv.scopeCode())).toList();
        return new AllocationReport(tv, n[0], totals[0], totals[1], byItem, bySchool, fs);
    }

    @Override
    public Page<EntitlementView> entitlements(CurrentUser user, long termId, String schoolCode, int page, int size) {
        visible(user, termId);
        Rows q = rows(user, "aid_entitlement", termId, schoolCode);
        String where = q.where();
        Map<String, Object> params = q.params();
        long total = jdbc.sql("SELECT COUNT(*)" + where).params(params).query(Long.class).single();
        Privacy p = Privacy.of(user);
        Map<String, String> schools = new HashMap<>();
        Map<Long, String> itemNames = itemNames();
        List<Long> ids = new ArrayList<>();
        List<EntitlementView> rows = new ArrayList<>(jdbc.sql("SELECT x.*" + where
                        + " ORDER BY x.school_code, x.stage, x.grade, x.name, x.id LIMIT :lim OFFSET :off")
                .params(params).param("lim", size).param("off", (long) page * size).query((rs, i) -> {
                    ids.add(rs.getLong("id"));
                    String sc = rs.getString("school_code");
                    return new EntitlementView(rs.getLong("id"), rs.getLong("student_id"), p.name(rs.getString("name")), sc,
                            schools.computeIfAbsent(sc, c -> directory.school(c).map(s -> s.name()).orElse(c)),
                            rs.getString("stage"), (Integer) rs.getObject("grade", Integer.class), rs.getString("level"),
                            rs.getString("item_code"), itemNames.get(rs.getLong("item_id")),
                            Catalog.Kind.valueOf(rs.getString("kind")), rs.getBigDecimal("amount").setScale(2),
                            rs.getBigDecimal("allocated").setScale(2), rs.getString("status"), List.of());
                }).list());
        if (!ids.isEmpty()) {
            Map<Long, List<FundPart>> parts = funds.parts(ids);
            rows.replaceAll(v -> new EntitlementView(v.id(), v.studentId(), v.name(), v.schoolCode(), v.schoolName(), v.stage(),
                    v.grade(), v.level(), v.itemCode(), v.itemName(), v.kind(), v.amount(), v.allocated(), v.status(),
                    parts.getOrDefault(v.id(), List.of())));
        }
        return new Page<>(rows, total, page, size);
    }

    /** Rows of a term the user may read: a school its own; a region the children living or taught in it. */
    private ScopeFilter rowScope(CurrentUser user) {
        Scope s = user.childDataScope();
        if (s.type() == Scope.Type.REGION) {
            // Entitlement rows carry the residence; the school's region is looked up through the school table
            // the region module owns, so the filter stays on this module's own columns: residence or school code.
            List<String> schools = directory.schools(s, new Directory.SchoolQuery(null, null, null), 0, 100_000)
                    .items().stream().map(SchoolView::code).toList();
            Map<String, Object> params = new HashMap<>(ScopeFilter.of(s, null, "x.region_code").params());
            String sql = ScopeFilter.of(s, null, "x.region_code").sql();
            if (!schools.isEmpty()) {
                sql = "(" + sql + " OR x.school_code IN (:scopeSchools))";
                params.put("scopeSchools", schools);
            }
            return new ScopeFilter(sql, params);
        }
        return ScopeFilter.of(s, "x.school_code");
    }

    @Override
    @Transactional
    public long exportEntitlements(CurrentUser user, long termId, String schoolCode, OutputStream out,
                                   Locale locale) {
        visible(user, termId);
        ScopeFilter f = rowScope(user);
        Map<String, Object> params = new HashMap<>(f.params());
        params.put("t", termId);
        String school = "";
        if (schoolCode != null && !schoolCode.isBlank()) {
            school = " AND x.school_code = :sc";
            params.put("sc", schoolCode);
        }
        Privacy p = Privacy.of(user);
        Map<Long, String> names = itemNames();
        Map<String, String> schools = new HashMap<>();
        Function<String, String> t = k -> messages.getMessage(k, null, locale);
        long[] rows = {0};
        try (Xlsx x = new Xlsx(out, t.apply("aid.entitlements"), List.of(
                t.apply("aid.school"), t.apply("aid.student"), t.apply("aid.item.stages"), t.apply("aid.grade"),
                t.apply("round.level"), t.apply("aid.item.name"), t.apply("aid.item.kind"), t.apply("aid.summary.value"),
                t.apply("aid.fund.name"), t.apply("aid.part")))) {
            jdbc.sql("SELECT x.*, f.name AS fund_name, a.amount AS part FROM aid_entitlement x "
                            + "LEFT JOIN aid_allocation a ON a.entitlement_id = x.id LEFT JOIN aid_fund f ON f.id = a.fund_id "
                            + "WHERE x.term_id = :t AND " + f.sql() + school
                            + " ORDER BY x.school_code, x.stage, x.grade, x.name, x.id, f.priority, f.id")
                    .params(params).withFetchSize(2000).query(rs -> {
                        String sc = rs.getString("school_code");
                        BigDecimal part = rs.getBigDecimal("part");
                        Object grade = rs.getObject("grade");
                        x.row(Arrays.asList(
                                schools.computeIfAbsent(sc, c -> directory.school(c).map(s -> s.name()).orElse(c)),
                                p.name(rs.getString("name")), t.apply("enum.Stage." + rs.getString("stage")),
                                grade == null ? "" : grade.toString(), rs.getString("level"),
                                names.get(rs.getLong("item_id")), t.apply("aid.kind." + rs.getString("kind")),
                                rs.getBigDecimal("amount").setScale(2).toPlainString(),
                                rs.getString("fund_name") == null ? "" : rs.getString("fund_name"),
                                part == null ? "" : part.setScale(2).toPlainString()));
                        rows[0]++;
                    });
        }
        audit.record("AID_LIST_EXPORT", "aidTerm", String.valueOf(termId), Map.of("rows", rows[0],
                "school", schoolCode == null ? "" : schoolCode));
        return rows[0];
    }

    private Map<Long, String> itemNames() {
        Map<Long, String> out = new HashMap<>();
        jdbc.sql("SELECT id, name FROM aid_item").query(rs -> {
            out.put(rs.getLong(1), rs.getString(2));
        });
        return out;
    }

    @Override
    public Page<MissedView> missed(CurrentUser user, long termId, String schoolCode, int page, int size) {
        visible(user, termId);
        Rows q = rows(user, "aid_missed", termId, schoolCode);
        String where = q.where();
        Map<String, Object> params = q.params();
        long total = jdbc.sql("SELECT COUNT(*)" + where).params(params).query(Long.class).single();
        Privacy p = Privacy.of(user);
        Map<String, String> schools = new HashMap<>();
        List<MissedView> rows = jdbc.sql("SELECT x.*" + where
                        + " ORDER BY x.school_code, x.reason, x.name, x.id LIMIT :lim OFFSET :off")
                .params(params).param("lim", size).param("off", (long) page * size)
                .query((rs, i) -> missedView(rs, p, schools)).list();
        return new Page<>(rows, total, page, size);
    }

    /** The rows of a term's table the user may read, optionally of one school: a FROM … WHERE and its parameters. */
    private record Rows(String where, Map<String, Object> params) {
    }

    /**
     * The aid list and the 应助尽助 rows carry the same school and residence columns, so they share one scope: a
     * school sees its school; a region the children living in it and those taught in its schools.
     */
    private Rows rows(CurrentUser user, String table, long termId, String schoolCode) {
        ScopeFilter f = rowScope(user);
        Map<String, Object> params = new HashMap<>(f.params());
        params.put("t", termId);
        String where = " FROM " + table + " x WHERE x.term_id = :t AND " + f.sql();
        if (schoolCode != null && !schoolCode.isBlank()) {
            where += " AND x.school_code = :sc";
            params.put("sc", schoolCode);
        }
        return new Rows(where, params);
    }

    private MissedView missedView(ResultSet rs, Privacy p, Map<String, String> schools) throws SQLException {
        String sc = rs.getString("school_code");
        return new MissedView(rs.getLong("id"), p.name(rs.getString("name")), sc,
                schools.computeIfAbsent(sc, c -> directory.school(c).map(s -> s.name()).orElse(c)),
                rs.getString("stage"), (Integer) rs.getObject("grade", Integer.class), rs.getString("level"),
                MissedReason.valueOf(rs.getString("reason")), rs.getString("explanation"), rs.getString("explained_by"),
                instant(rs, "explained_at"));
    }

    @Override
    @Transactional
    public MissedView explain(CurrentUser user, long missedId, String explanation) {
        user.require(user.role() == Role.CENTER || user.role() == Role.SCHOOL_OPERATOR
                || user.role() == Role.SCHOOL_REVIEWER);
        if (explanation == null || explanation.isBlank() || explanation.length() > 300) {
            throw new RuleViolationException("aid.rule.explanation");
        }
        Map<String, Object> row = jdbc.sql("SELECT term_id, school_code FROM aid_missed WHERE id = :id")
                .param("id", missedId).query().listOfRows().stream().findFirst()
                .orElseThrow(() -> new NotFoundException("missed aid"));
        long termId = ((Number) row.get("term_id")).longValue();
        visible(user, termId);
        ScopeFilter f = rowScope(user);
        long inside = jdbc.sql("SELECT COUNT(*) FROM aid_missed x WHERE x.id = :id AND " + f.sql()).params(f.params())
                .param("id", missedId).query(Long.class).single();
        if (inside == 0) {
            throw new NotFoundException("missed aid");
        }
        jdbc.sql("UPDATE aid_missed SET explanation = :e, explained_by = :by, explained_at = :at WHERE id = :id")
                .param("e", explanation.strip()).param("by", user.username()).param("at", Timestamp.from(Instant.now()))
                .param("id", missedId).update();
        audit.record("AID_MISSED_EXPLAINED", "aidMissed", String.valueOf(missedId), Map.of("term", termId));
        return jdbc.sql("SELECT * FROM aid_missed WHERE id = :id").param("id", missedId)
                .query((rs, i) -> missedView(rs, Privacy.of(user), new HashMap<>())).single();
    }

    @Override
    public TermSummary summary(CurrentUser user, long termId) {
        TermRow t = visible(user, termId);
        ScopeFilter f = rowScope(user);
        Map<Long, String> names = itemNames();
        Locale locale = LocaleContextHolder.getLocale();
        // One pass over the term's rows the user may read, grouped by every cut at once (item, school, stage, home
        // township), then summed per cut here: four scans of the term became one. Paid = cash the bank confirmed.
        Scope area = Scope.region(t.scopeCode());
        Map<String, Cut> items = new TreeMap<>();
        Map<String, Cut> schools = new TreeMap<>();
        Map<String, Cut> stages = new TreeMap<>();
        Map<String, Cut> townships = new TreeMap<>();
        long[] failed = {0};
        jdbc.sql("SELECT y.item_code, y.school_code, y.stage, y.k, MIN(y.item_id) AS item_id, COUNT(*) AS n, "
                        + "SUM(y.amount) AS amount, SUM(y.allocated) AS allocated, "
                        + "SUM(CASE WHEN y.status = 'PAID' THEN y.allocated ELSE 0 END) AS paid, "
                        + "SUM(CASE WHEN y.kind = 'CASH' THEN y.amount - y.allocated ELSE 0 END) AS gap, "
                        + "SUM(CASE WHEN y.status = 'FAILED' THEN 1 ELSE 0 END) AS failed "
                        + "FROM (SELECT x.*, CASE WHEN x.region_code BETWEEN :areaLow AND :areaHigh "
                        + "THEN SUBSTRING(x.region_code, 1, 9) ELSE 'OUTSIDE' END AS k FROM aid_entitlement x "
                        + "WHERE x.term_id = :t AND " + f.sql() + ") y GROUP BY y.item_code, y.school_code, y.stage, y.k")
                .params(f.params()).param("t", termId)
                .param("areaLow", area.lowestRegion()).param("areaHigh", area.highestRegion())
                .query(rs -> {
                    Cut c = new Cut(rs.getLong("item_id"), rs.getLong("n"), money(rs, "amount"),
                            money(rs, "allocated"), money(rs, "paid"), money(rs, "gap"));
                    items.merge(rs.getString("item_code"), c, Cut::plus);
                    schools.merge(rs.getString("school_code"), c, Cut::plus);
                    stages.merge(rs.getString("stage"), c, Cut::plus);
                    townships.merge(rs.getString("k"), c, Cut::plus);
                    failed[0] += rs.getLong("failed");
                });
        List<TermSummary.Row> byItem = rows(items, (code, c) -> names.get(c.itemId()));
        // Every school's and township's name in one look-up, not one per row.
        List<String> named = new ArrayList<>(schools.keySet());
        townships.keySet().forEach(k -> named.add(k + "000"));
        Map<String, String> placeNames = directory.names(named);
        List<TermSummary.Row> bySchool = rows(schools, (code, c) -> placeNames.getOrDefault(code.strip(), code));
        List<TermSummary.Row> byStage = rows(stages, (code, c) -> messages.getMessage("enum.Stage." + code, null,
                locale));
        // The township of the child's home; a child taught here but living outside the area is counted apart.
        List<TermSummary.Row> byTownship = new ArrayList<>();
        townships.forEach((k, c) -> {
            String name = k.equals("OUTSIDE") ? messages.getMessage("aid.summary.outside", null, locale)
                    : placeNames.getOrDefault(k + "000", k);
            byTownship.add(c.row(k.equals("OUTSIDE") ? k : k + "000", name));
        });
        // Per fund: the parts of the rows above, and where the bank has taken them.
        List<TermSummary.FundRow> byFund = jdbc.sql("""
                SELECT d.code, d.name, d.kind, COUNT(*) AS n, SUM(a.amount) AS allocated,
                       SUM(CASE WHEN x.status = 'APPROVED' THEN a.amount ELSE 0 END) AS payable,
                       SUM(CASE WHEN x.status = 'PAID' THEN a.amount ELSE 0 END) AS paid,
                       SUM(CASE WHEN x.status = 'FAILED' THEN a.amount ELSE 0 END) AS returned
                FROM aid_allocation a JOIN aid_entitlement x ON x.id = a.entitlement_id JOIN aid_fund d ON d.id = a.fund_id
                WHERE a.term_id = :t AND""" + " " + f.sql() + " GROUP BY d.code, d.name, d.kind, d.priority "
                        + "ORDER BY d.priority, d.code").params(f.params()).param("t", termId)
                .query((rs, i) -> new TermSummary.FundRow(rs.getString("code"), rs.getString("name"),
                        Funds.Kind.valueOf(rs.getString("kind")), rs.getLong("n"), money(rs, "allocated"),
                        money(rs, "payable"), money(rs, "paid"), money(rs, "returned"))).list();
        // Failed and not paid since (the entitlement's latest attempt failed) came with the pass above.
        long missed = jdbc.sql("SELECT COUNT(*) FROM aid_missed x WHERE x.term_id = :t AND " + f.sql())
                .params(f.params()).param("t", termId).query(Long.class).single();
        return new TermSummary(byItem, bySchool, byStage, byTownship, byFund, t.duplicates(), missed, failed[0]);
    }

    /** One cut's sums; cells of the one pass add up into it. */
    private record Cut(long itemId, long n, BigDecimal amount, BigDecimal allocated, BigDecimal paid, BigDecimal gap) {
        Cut plus(Cut o) {
            return new Cut(Math.min(itemId, o.itemId), n + o.n, amount.add(o.amount), allocated.add(o.allocated),
                    paid.add(o.paid), gap.add(o.gap));
        }

        TermSummary.Row row(String code, String name) {
            return new TermSummary.Row(code, name, n, amount, allocated, paid, gap);
        }
    }

    /** A cut's rows in the order of their codes (ASCII codes: the order the database gave them before). */
    private static List<TermSummary.Row> rows(Map<String, Cut> cut, BiFunction<String, Cut, String> name) {
        List<TermSummary.Row> out = new ArrayList<>();
        cut.forEach((code, c) -> out.add(c.row(code, name.apply(code, c))));
        return out;
    }

    private static BigDecimal money(ResultSet rs, String column) throws SQLException {
        BigDecimal v = rs.getBigDecimal(column);
        return (v == null ? BigDecimal.ZERO : v).setScale(2);
    }
}
