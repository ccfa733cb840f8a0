package org.fuzhi.aid;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fuzhi.common.Money;

/**
 * 资金瀑布 — fills each entitlement from the funds that may pay it, in ascending priority (ties in the order given),
 * taking from a fund no more than it has left: central and provincial special funds first, the county's backstop
 * next, charity last and only where its donor allows. Pure: the same code serves the persisted allocation of a term,
 * the what-if preview and the tests.
 */
public final class Waterfall {

    private Waterfall() {
    }

    /**
     * A source of money for one allocation.
     *
     * @param items    the aid items it may pay; null for any
     * @param students the students it may pay (one-to-one sponsorship); null for any
     * @param regions  region code prefixes of the students it may pay (a donor's township); null for any
     */
    public record Fund(String code, int priority, Money budget, Set<String> items, Set<String> students,
                       Set<String> regions) {

        public Fund(String code, int priority, Money budget, Set<String> items, Set<String> students) {
            this(code, priority, budget, items, students, null);
        }

        boolean mayPay(Entitlement e) {
            return (items == null || items.contains(e.item()))
                    && (students == null || students.contains(e.student()))
                    && (regions == null || (e.region() != null && regions.stream().anyMatch(e.region()::startsWith)));
        }
    }

    /** @param region the student's residence code, for funds restricted to regions (may be null) */
    public record Entitlement(String id, String student, String item, Money amount, String region) {

        public Entitlement(String id, String student, String item, Money amount) {
            this(id, student, item, amount, null);
        }
    }

    /** A part of an entitlement paid by one fund. */
    public record Line(String entitlement, String fund, Money amount) {
    }

    /** The part of an entitlement no fund could pay: the shortfall to report before approval. */
    public record Uncovered(String entitlement, Money amount) {
    }

    public record FundUse(String code, Money used, Money left) {
    }

    public record Result(List<Line> lines, List<Uncovered> uncovered, List<FundUse> funds) {

        public Money uncoveredTotal() {
            return uncovered.stream().map(Uncovered::amount).reduce(Money.ZERO, Money::plus);
        }
    }

    /**
     * Allocates the entitlements in the order given.
     *
     * @throws IllegalArgumentException on a negative budget or amount, or a repeated fund code or entitlement id
     */
    public static Result allocate(List<Fund> funds, List<Entitlement> entitlements) {
        Map<String, Fund> byCode = new LinkedHashMap<>();
        for (Fund f : funds) {
            if (f.budget().isNegative()) {
                throw new IllegalArgumentException("negative budget: " + f.code());
            }
            if (byCode.putIfAbsent(f.code(), f) != null) {
                throw new IllegalArgumentException("repeated fund: " + f.code());
            }
        }
        // A stable sort keeps funds of equal priority in the order given.
        List<Fund> ordered = new ArrayList<>(funds);
        ordered.sort(Comparator.comparingInt(Fund::priority));
        Map<String, Money> left = new LinkedHashMap<>();
        funds.forEach(f -> left.put(f.code(), f.budget()));
        List<Line> lines = new ArrayList<>();
        List<Uncovered> uncovered = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Entitlement e : entitlements) {
            if (e.amount().isNegative()) {
                throw new IllegalArgumentException("negative amount: " + e.id());
            }
            if (!seen.add(e.id())) {
                throw new IllegalArgumentException("repeated entitlement: " + e.id());
            }
            Money due = e.amount();
            for (Fund f : ordered) {
                if (!due.isPositive()) {
                    break;
                }
                Money available = left.get(f.code());
                if (!available.isPositive() || !f.mayPay(e)) {
                    continue;
                }
                Money take = available.min(due);
                lines.add(new Line(e.id(), f.code(), take));
                left.put(f.code(), available.minus(take));
                due = due.minus(take);
            }
            if (due.isPositive()) {
                uncovered.add(new Uncovered(e.id(), due));
            }
        }
        List<FundUse> use = funds.stream()
                .map(f -> new FundUse(f.code(), f.budget().minus(left.get(f.code())), left.get(f.code()))).toList();
        return new Result(lines, uncovered, use);
    }
}
