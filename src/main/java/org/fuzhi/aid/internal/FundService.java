package org.fuzhi.aid.internal;

import java.io.OutputStream;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.fuzhi.aid.Funds;
import org.fuzhi.aid.Terms;
import org.fuzhi.aid.Waterfall;
import org.fuzhi.common.Money;
import org.fuzhi.common.RegionCode;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.BulkRows;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.StaleEditException;
import org.fuzhi.platform.Xlsx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Funds, the persisted waterfall and the double-entry ledger. Accounts of a fund: BUDGET (credited with the
 * appropriation), AVAILABLE, ALLOCATED (payable to children), PAID, RETURNED; each movement is one row debiting one
 * and crediting another, so the ledger can be checked against the allocation lines it must agree with.
 */
@Service
@Transactional(readOnly = true)
class FundService implements Funds {

    private static final Logger log = LoggerFactory.getLogger(FundService.class);

    static final String BUDGET = "BUDGET";
    static final String AVAILABLE = "AVAILABLE";
    static final String ALLOCATED = "ALLOCATED";
    static final String PAYABLE = "PAYABLE";
    static final String PAID = "PAID";
    static final String RETURNED = "RETURNED";

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final AuditLog audit;
    private final MessageSource messages;
    private final BulkRows bulk;

    FundService(JdbcClient jdbc, JdbcTemplate batch, AuditLog audit, MessageSource messages,
                BulkRows bulk) {
        this.bulk = bulk;
        this.jdbc = jdbc;
        this.batch = batch;
        this.audit = audit;
        this.messages = messages;
    }

    private record FundRow(long id, String code, String name, Kind kind, String scopeCode, int year, int priority,
                           BigDecimal budget, List<String> items, List<String> regions, List<String> students,
                           int version) {
    }

    private static List<String> csv(String s) {
        return s == null || s.isBlank() ? null : Arrays.stream(s.split(",")).map(String::strip).toList();
    }

    private static FundRow row(ResultSet rs, int n) throws SQLException {
        return new FundRow(rs.getLong("id"), rs.getString("code"), rs.getString("name"),
                Kind.valueOf(rs.getString("kind")), rs.getString("scope_code"), rs.getInt("budget_year"),
                rs.getInt("priority"), rs.getBigDecimal("budget").setScale(2), csv(rs.getString("items")),
                csv(rs.getString("regions")), csv(rs.getString("students")), rs.getInt("version"));
    }

    private static void requireReader(CurrentUser user) {
        user.require((user.role() == Role.CENTER || user.role() == Role.LEADER || user.role() == Role.EVALUATOR)
                && user.scope().type() == Scope.Type.REGION);
    }

    private List<FundRow> visibleRows(CurrentUser user, Integer year) {
        requireReader(user);
        return jdbc.sql("SELECT * FROM aid_fund WHERE scope_code BETWEEN :lo AND :hi"
                        + (year == null ? "" : " AND budget_year = :y") + " ORDER BY budget_year DESC, priority, id")
                .param("lo", user.scope().lowestRegion()).param("hi", user.scope().highestRegion())
                .params(year == null ? Map.of() : Map.of("y", year)).query(FundService::row).list();
    }

    /** Balance (debits minus credits) of each account of each fund. */
    private Map<Long, Map<String, BigDecimal>> balances(List<Long> fundIds) {
        Map<Long, Map<String, BigDecimal>> out = new HashMap<>();
        if (fundIds.isEmpty()) {
            return out;
        }
        jdbc.sql("SELECT fund_id, debit AS account, SUM(amount) FROM aid_ledger WHERE fund_id IN (:f) GROUP BY fund_id, debit "
                        + "UNION ALL SELECT fund_id, credit, -SUM(amount) FROM aid_ledger WHERE fund_id IN (:f) "
                        + "GROUP BY fund_id, credit").param("f", fundIds).query(rs -> {
            out.computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).merge(rs.getString(2), rs.getBigDecimal(3),
                    BigDecimal::add);
        });
        return out;
    }

    private static BigDecimal bal(Map<String, BigDecimal> b, String account) {
        return b == null ? BigDecimal.ZERO.setScale(2) : b.getOrDefault(account, BigDecimal.ZERO).setScale(2);
    }

    private List<FundView> views(List<FundRow> rows) {
        Map<Long, Map<String, BigDecimal>> b = balances(rows.stream().map(FundRow::id).toList());
        return rows.stream().map(r -> {
            Map<String, BigDecimal> m = b.get(r.id());
            return new FundView(r.id(), r.code(), r.name(), r.kind(), r.scopeCode(), r.year(), r.priority(), r.budget(),
                    bal(m, ALLOCATED).add(bal(m, PAYABLE)).add(bal(m, PAID)).add(bal(m, RETURNED)),
                    bal(m, PAID).add(bal(m, RETURNED)),
                    bal(m, RETURNED), bal(m, AVAILABLE), r.items(), r.regions(),
                    r.students() == null ? 0 : r.students().size(), r.version());
        }).toList();
    }

    @Override
    public List<FundView> list(CurrentUser user, Integer year) {
        return views(visibleRows(user, year));
    }

    @Override
    @Transactional
    public FundView create(CurrentUser user, NewFund f) {
        user.require(user.role() == Role.CENTER && user.scope().type() == Scope.Type.REGION);
        String scope = f.scopeCode() == null || f.scopeCode().isBlank() ? user.scope().code() : f.scopeCode();
        if (!user.scope().containsRegion(scope)) {
            throw new AccessDeniedException("fund outside scope");
        }
        if (f.code() == null || !f.code().matches("[A-Za-z0-9_-]{2,40}")) {
            throw new RuleViolationException("aid.rule.fundCode");
        }
        if (f.name() == null || f.name().isBlank() || f.kind() == null) {
            throw new RuleViolationException("aid.rule.fundName");
        }
        if (f.budget() == null || f.budget().signum() < 0 || f.budget().scale() > 2) {
            throw new RuleViolationException("aid.rule.fundBudget");
        }
        if (f.budgetYear() < 2000 || f.budgetYear() > 2100) {
            throw new RuleViolationException("aid.rule.termYear");
        }
        if (f.regions() != null) {
            for (String r : f.regions()) {
                if (!user.scope().containsRegion(r)) {
                    throw new AccessDeniedException("fund region outside scope");
                }
            }
        }
        if (jdbc.sql("SELECT COUNT(*) FROM aid_fund WHERE code = :c").param("c", f.code()).query(Long.class).single() > 0) {
            throw new RuleViolationException("aid.rule.fundExists", f.code());
        }
        int priority = f.priority() != null ? f.priority() : f.kind().defaultPriority();
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.sql("""
                INSERT INTO aid_fund (code, name, kind, scope_code, budget_year, priority, budget, items, regions,
                    students, created_by, created_at) VALUES (:c, :n, :k, :s, :y, :p, :b, :i, :r, :st, :by, :at)""")
                .param("c", f.code()).param("n", f.name().strip()).param("k", f.kind().name()).param("s", scope)
                .param("y", f.budgetYear()).param("p", priority).param("b", f.budget().setScale(2))
                .param("i", join(f.items())).param("r", join(f.regions()))
                .param("st", f.students() == null || f.students().isEmpty() ? null
                        : String.join(",", f.students().stream().map(String::valueOf).toList()))
                .param("by", user.username()).param("at", now).update();
        FundRow r = jdbc.sql("SELECT * FROM aid_fund WHERE code = :c").param("c", f.code()).query(FundService::row)
                .single();
        if (r.budget().signum() > 0) {
            entry(r.id(), AVAILABLE, BUDGET, r.budget(), "BUDGET", null, null, user.username(), now);
        }
        audit.record("AID_FUND_CREATED", "aidFund", f.code(), Map.of("kind", f.kind().name(), "budget",
                r.budget().toPlainString(), "year", f.budgetYear(), "priority", priority));
        return views(List.of(r)).get(0);
    }

    private static String join(List<String> values) {
        return values == null || values.isEmpty() ? null : String.join(",", values);
    }

    private void entry(long fund, String debit, String credit, BigDecimal amount, String op, Long entitlement,
                       Long term, String actor, Timestamp at) {
        jdbc.sql("""
                INSERT INTO aid_ledger (fund_id, debit, credit, amount, operation, entitlement_id, term_id, actor, at)
                VALUES (:f, :d, :c, :a, :o, :e, :t, :actor, :at)""").param("f", fund).param("d", debit)
                .param("c", credit).param("a", amount).param("o", op).param("e", entitlement).param("t", term)
                .param("actor", actor).param("at", at).update();
    }

    @Override
    @Transactional
    public FundView setBudget(CurrentUser user, long fundId, int expectedVersion, BigDecimal budget) {
        user.require(user.role() == Role.CENTER && user.scope().type() == Scope.Type.REGION);
        FundRow r = visibleRows(user, null).stream().filter(f -> f.id() == fundId).findFirst()
                .orElseThrow(() -> new NotFoundException("fund"));
        if (budget == null || budget.signum() < 0 || budget.scale() > 2) {
            throw new RuleViolationException("aid.rule.fundBudget");
        }
        BigDecimal newBudget = budget.setScale(2);
        int updated = jdbc.sql("UPDATE aid_fund SET budget = :b, version = version + 1 WHERE id = :id AND version = :v")
                .param("b", newBudget).param("id", fundId).param("v", expectedVersion).update();
        if (updated == 0) {
            throw new StaleEditException("fund " + r.code());
        }
        BigDecimal available = bal(balances(List.of(fundId)).get(fundId), AVAILABLE);
        BigDecimal delta = newBudget.subtract(r.budget());
        if (available.add(delta).signum() < 0) {
            // Already allocated beyond the new budget: the budget may not go below what it has paid out.
            throw new RuleViolationException("aid.rule.budgetBelowAllocated", r.code(),
                    r.budget().subtract(available).toPlainString());
        }
        Timestamp now = Timestamp.from(Instant.now());
        if (delta.signum() > 0) {
            entry(fundId, AVAILABLE, BUDGET, delta, "BUDGET", null, null, user.username(), now);
        } else if (delta.signum() < 0) {
            entry(fundId, BUDGET, AVAILABLE, delta.negate(), "BUDGET", null, null, user.username(), now);
        }
        audit.record("AID_FUND_BUDGET", "aidFund", r.code(), Map.of("from", r.budget().toPlainString(),
                "to", newBudget.toPlainString()));
        return views(List.of(jdbc.sql("SELECT * FROM aid_fund WHERE id = :id").param("id", fundId)
                .query(FundService::row).single())).get(0);
    }

    /**
     * The waterfall over a term's cash entitlements not yet fully allocated, from the funds of the term's area and
     * year, in the entitlements' order (school, then id). Writes a line per entitlement and fund and the ledger
     * entries that move the money from AVAILABLE to ALLOCATED.
     */
    @Transactional
    void allocate(CurrentUser user, long termId, String scopeCode, int budgetYear) {
        // The fund rows are locked so that two allocations (of two terms of one county) cannot spend one budget
        // twice; each sees what the other allocated.
        List<FundRow> rows = jdbc.sql("SELECT * FROM aid_fund WHERE scope_code = :s AND budget_year = :y ORDER BY id "
                        + "FOR UPDATE").param("s", scopeCode).param("y", budgetYear).query(FundService::row).list();
        Map<Long, Map<String, BigDecimal>> b = balances(rows.stream().map(FundRow::id).toList());
        List<Waterfall.Fund> funds = new ArrayList<>();
        Map<String, Long> fundIds = new HashMap<>();
        for (FundRow r : rows) {
            BigDecimal left = bal(b.get(r.id()), AVAILABLE);
            funds.add(new Waterfall.Fund(r.code(), r.priority(), Money.of(left.max(BigDecimal.ZERO)),
                    r.items() == null ? null : new LinkedHashSet<>(r.items()),
                    r.students() == null ? null : new LinkedHashSet<>(r.students()),
                    r.regions() == null ? null : regionPrefixes(r.regions())));
            fundIds.put(r.code(), r.id());
        }
        // In chunks of the entitlements' order (their ids: the order they were generated in, by person), each starting from what the chunks before left in every fund: the
        // same result as one pass over the whole term, with memory bounded by the chunk.
        Timestamp now = Timestamp.from(Instant.now());
        long[] totals = new long[3]; // entitlements, lines, uncovered fen
        long afterId = 0;
        long[] nanos = new long[4]; // read, waterfall, lines and ledger, entitlement totals
        while (true) {
            long t0 = System.nanoTime();
            List<Object[]> keys = new ArrayList<>();
            Set<Long> partlyAllocated = new HashSet<>();
            List<Waterfall.Entitlement> due = jdbc.sql("""
                    SELECT id, person_id, item_code, amount - allocated AS due, region_code, allocated
                    FROM aid_entitlement WHERE id > :i AND term_id = :t AND kind = 'CASH' AND allocated < amount
                    ORDER BY id""" + " LIMIT " + CHUNK).param("t", termId).param("i", afterId)
                    .query((rs, n) -> {
                        keys.add(new Object[]{rs.getLong(1)});
                        if (rs.getBigDecimal(6).signum() > 0) {
                            partlyAllocated.add(rs.getLong(1));
                        }
                        return new Waterfall.Entitlement(String.valueOf(rs.getLong(1)), String.valueOf(rs.getLong(2)),
                                rs.getString(3), Money.of(rs.getBigDecimal(4).setScale(2)), rs.getString(5));
                    }).list();
            if (due.isEmpty()) {
                break;
            }
            Object[] last = keys.get(keys.size() - 1);
            long t1 = System.nanoTime();
            Waterfall.Result result = Waterfall.allocate(funds, due);
            long t2 = System.nanoTime();
            write(result, fundIds, partlyAllocated, termId, user, now);
            long t3 = System.nanoTime();
            addToEntitlements(result);
            nanos[0] += t1 - t0;
            nanos[1] += t2 - t1;
            nanos[2] += t3 - t2;
            nanos[3] += System.nanoTime() - t3;
            afterId = (Long) last[0];
            totals[0] += due.size();
            totals[1] += result.lines().size();
            totals[2] += result.uncoveredTotal().fen();
            List<Waterfall.Fund> next = new ArrayList<>(funds.size());
            for (int k = 0; k < funds.size(); k++) {
                Waterfall.Fund f = funds.get(k);
                next.add(new Waterfall.Fund(f.code(), f.priority(), result.funds().get(k).left(), f.items(),
                        f.students(), f.regions()));
            }
            funds = next;
        }
        if (totals[1] >= 10_000) {
            bulk.analyze("aid_allocation", "aid_entitlement");
        }
        log.info("aid term {} allocated: {} entitlements, {} lines; read {} ms, waterfall {} ms, lines and ledger {} ms, "
                + "entitlement totals {} ms", termId, totals[0], totals[1], nanos[0] / 1_000_000, nanos[1] / 1_000_000,
                nanos[2] / 1_000_000, nanos[3] / 1_000_000);
        audit.record("AID_TERM_ALLOCATED", "aidTerm", String.valueOf(termId), Map.of("entitlements", totals[0],
                "lines", totals[1], "uncovered", new Money(totals[2]).toString(), "year", budgetYear));
    }

    private static final int CHUNK = 20_000;

    /**
     * The chunk's allocation lines, and one ledger entry per fund for the chunk (the journal; the lines are its
     * detail, and the ledger check holds the two equal).
     */
    private void write(Waterfall.Result result, Map<String, Long> fundIds, Set<Long> partlyAllocated, long termId,
                       CurrentUser user, Timestamp now) {
        List<Object[]> inserts = new ArrayList<>();
        List<Object[]> merges = new ArrayList<>();
        Map<Long, BigDecimal> byFund = new LinkedHashMap<>();
        for (Waterfall.Line l : result.lines()) {
            long e = Long.parseLong(l.entitlement());
            long f = fundIds.get(l.fund());
            BigDecimal amount = l.amount().toBigDecimal();
            if (partlyAllocated.contains(e)) {
                merges.add(new Object[]{amount, e, f});
            } else {
                inserts.add(new Object[]{e, f, termId, amount, now});
            }
            byFund.merge(f, amount, BigDecimal::add);
        }
        // A part from a fund that already paid part of this entitlement (a budget raised later) adds to that line.
        int[] merged = batch.batchUpdate("UPDATE aid_allocation SET amount = amount + ? WHERE entitlement_id = ? "
                + "AND fund_id = ?", merges);
        for (int i = 0; i < merged.length; i++) {
            if (merged[i] == 0) {
                Object[] m = merges.get(i);
                inserts.add(new Object[]{m[1], m[2], termId, m[0], now});
            }
        }
        bulk.insert("aid_allocation", List.of("entitlement_id", "fund_id", "term_id", "amount", "created_at"), inserts);
        List<Object[]> ledger = new ArrayList<>();
        byFund.forEach((f, a) -> ledger.add(new Object[]{f, ALLOCATED, AVAILABLE, a, "ALLOCATE", termId,
                user.username(), now}));
        batch.batchUpdate("INSERT INTO aid_ledger (fund_id, debit, credit, amount, operation, term_id, actor, at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", ledger);
    }

    /**
     * Each entitlement of a chunk takes what its new parts add, and its status from the sum: one statement over the
     * chunk on PostgreSQL (the pairs as two arrays), a batch elsewhere. The entitlements were read in this
     * transaction under the term's and the funds' locks, so their allocated sums are the ones the parts add to.
     */
    private void addToEntitlements(Waterfall.Result result) {
        Map<Long, BigDecimal> added = new LinkedHashMap<>();
        for (Waterfall.Line l : result.lines()) {
            added.merge(Long.parseLong(l.entitlement()), l.amount().toBigDecimal(), BigDecimal::add);
        }
        if (added.isEmpty()) {
            return;
        }
        String status = "CASE WHEN %1$sallocated + %2$s >= %1$samount THEN 'ALLOCATED' ELSE 'PARTIAL' END";
        if (bulk.postgres()) {
            Long[] ids = added.keySet().toArray(Long[]::new);
            BigDecimal[] amounts = added.values().toArray(BigDecimal[]::new);
            batch.execute((ConnectionCallback<Integer>) c -> {
                try (var ps = c.prepareStatement("UPDATE aid_entitlement e SET allocated = e.allocated + v.a, status = "
                        + status.formatted("e.", "v.a") + " FROM unnest(?::bigint[], ?::numeric[]) AS v(id, a) "
                        + "WHERE e.id = v.id")) {
                    ps.setArray(1, c.createArrayOf("bigint", ids));
                    ps.setArray(2, c.createArrayOf("numeric", amounts));
                    return ps.executeUpdate();
                }
            });
        } else {
            List<Object[]> rows = new ArrayList<>(added.size());
            added.forEach((id, a) -> rows.add(new Object[]{a, a, id}));
            batch.batchUpdate("UPDATE aid_entitlement SET status = " + status.formatted("", "?")
                    + ", allocated = allocated + ? WHERE id = ?", rows);
        }
    }

    private static Set<String> regionPrefixes(List<String> regions) {
        Set<String> out = new LinkedHashSet<>();
        for (String r : regions) {
            out.add(new RegionCode(r).prefix());
        }
        return out;
    }

    /** The fund parts of these entitlements. */
    Map<Long, List<Terms.FundPart>> parts(List<Long> entitlementIds) {
        Map<Long, List<Terms.FundPart>> out = new HashMap<>();
        jdbc.sql("SELECT a.entitlement_id, f.code, f.name, a.amount FROM aid_allocation a JOIN aid_fund f ON f.id = a.fund_id "
                        + "WHERE a.entitlement_id IN (:e) ORDER BY f.priority, f.id").param("e", entitlementIds)
                .query(rs -> {
                    out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new Terms.FundPart(rs.getString(2),
                            rs.getString(3), rs.getBigDecimal(4).setScale(2)));
                });
        return out;
    }

    @Override
    @Transactional
    public long statement(CurrentUser user, long fundId, OutputStream out, Locale locale) {
        FundRow r = visibleRows(user, null).stream().filter(f -> f.id() == fundId).findFirst()
                .orElseThrow(() -> new NotFoundException("fund"));
        Function<String, String> t = k -> messages.getMessage(k, null, locale);
        long[] rows = {0};
        BigDecimal[] available = {BigDecimal.ZERO.setScale(2)};
        try (Xlsx x = new Xlsx(out, r.name(), List.of(t.apply("aid.statement.at"),
                t.apply("aid.statement.operation"), t.apply("aid.statement.debit"), t.apply("aid.statement.credit"),
                t.apply("aid.statement.amount"), t.apply("aid.statement.term"), t.apply("aid.statement.actor"),
                t.apply("aid.fund.available")))) {
            jdbc.sql("SELECT l.*, t.term_code FROM aid_ledger l LEFT JOIN aid_term t ON t.id = l.term_id "
                            + "WHERE l.fund_id = :f ORDER BY l.id").param("f", fundId).withFetchSize(2000)
                    .query(rs -> {
                        BigDecimal amount = rs.getBigDecimal("amount").setScale(2);
                        if (AVAILABLE.equals(rs.getString("debit"))) {
                            available[0] = available[0].add(amount);
                        }
                        if (AVAILABLE.equals(rs.getString("credit"))) {
                            available[0] = available[0].subtract(amount);
                        }
                        x.row(List.of(rs.getTimestamp("at").toInstant().atZone(ZoneId.of("Asia/Shanghai"))
                                        .toLocalDateTime().withNano(0).toString().replace('T', ' '),
                                t.apply("aid.operation." + rs.getString("operation")),
                                t.apply("aid.account." + rs.getString("debit")),
                                t.apply("aid.account." + rs.getString("credit")), amount.toPlainString(),
                                rs.getString("term_code") == null ? "" : rs.getString("term_code"),
                                rs.getString("actor"), available[0].toPlainString()));
                        if (++rows[0] % 1000 == 0) {
                            Jobs.progress().done(rows[0]);
                        }
                    });
        }
        audit.record("AID_FUND_STATEMENT", "aidFund", r.code(), Map.of("rows", rows[0]));
        return rows[0];
    }

    @Override
    public FundView statementOf(CurrentUser user, long fundId) {
        FundRow r = visibleRows(user, null).stream().filter(f -> f.id() == fundId).findFirst()
                .orElseThrow(() -> new NotFoundException("fund"));
        return views(List.of(r)).get(0);
    }

    @Override
    public long statementRows(CurrentUser user, long fundId) {
        statementOf(user, fundId);
        return jdbc.sql("SELECT COUNT(*) FROM aid_ledger WHERE fund_id = :f").param("f", fundId).query(Long.class)
                .single();
    }

    @Override
    public LedgerCheck check(CurrentUser user) {
        List<FundRow> rows = visibleRows(user, null);
        List<FundView> views = views(rows);
        List<Long> ids = rows.stream().map(FundRow::id).toList();
        Map<Long, Map<String, BigDecimal>> b = balances(ids);
        Map<Long, BigDecimal> lines = new HashMap<>();
        if (!ids.isEmpty()) {
            jdbc.sql("SELECT fund_id, SUM(amount) FROM aid_allocation WHERE fund_id IN (:f) GROUP BY fund_id")
                    .param("f", ids).query(rs -> {
                        lines.put(rs.getLong(1), rs.getBigDecimal(2).setScale(2));
                    });
        }
        List<String> problems = new ArrayList<>();
        Locale locale = LocaleContextHolder.getLocale();
        for (FundRow r : rows) {
            Map<String, BigDecimal> m = b.get(r.id());
            BigDecimal total = m == null ? BigDecimal.ZERO : m.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal allocatedLines = lines.getOrDefault(r.id(), BigDecimal.ZERO.setScale(2));
            BigDecimal out = bal(m, ALLOCATED).add(bal(m, PAYABLE)).add(bal(m, PAID)).add(bal(m, RETURNED));
            if (total.signum() != 0) {
                problems.add(messages.getMessage("aid.ledger.unbalanced", new Object[]{r.name(), total.toPlainString()},
                        locale));
            }
            if (bal(m, BUDGET).negate().compareTo(r.budget()) != 0) {
                problems.add(messages.getMessage("aid.ledger.budget", new Object[]{r.name(),
                        bal(m, BUDGET).negate().toPlainString(), r.budget().toPlainString()}, locale));
            }
            if (out.compareTo(allocatedLines) != 0) {
                problems.add(messages.getMessage("aid.ledger.lines", new Object[]{r.name(), out.toPlainString(),
                        allocatedLines.toPlainString()}, locale));
            }
            if (bal(m, AVAILABLE).signum() < 0) {
                problems.add(messages.getMessage("aid.ledger.negative", new Object[]{r.name(),
                        bal(m, AVAILABLE).toPlainString()}, locale));
            }
        }
        // Every entitlement's recorded allocation is the sum of its parts, and never more than its amount.
        ScopeRange range = new ScopeRange(user.scope().lowestRegion(), user.scope().highestRegion());
        long mismatched = jdbc.sql("""
                SELECT COUNT(*) FROM aid_entitlement e JOIN aid_term t ON t.id = e.term_id
                LEFT JOIN (SELECT entitlement_id, SUM(amount) AS s FROM aid_allocation GROUP BY entitlement_id) a
                  ON a.entitlement_id = e.id
                WHERE t.scope_code BETWEEN :lo AND :hi AND (e.allocated <> COALESCE(a.s, 0) OR e.allocated > e.amount)""")
                .param("lo", range.lo()).param("hi", range.hi()).query(Long.class).single();
        if (mismatched > 0) {
            problems.add(messages.getMessage("aid.ledger.entitlements", new Object[]{mismatched}, locale));
        }
        return new LedgerCheck(problems.isEmpty(), views, problems);
    }

    private record ScopeRange(String lo, String hi) {
    }
}
