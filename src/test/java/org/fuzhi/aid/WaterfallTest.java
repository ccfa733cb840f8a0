package org.fuzhi.aid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.fuzhi.common.Money;
import org.junit.jupiter.api.Test;

class WaterfallTest {

    private static Money m(String s) {
        return Money.parse(s);
    }

    @Test
    void specialFundsPayFirstTheBackstopFillsTheRestAndCharityOnlyWhereItsDonorAllows() {
        var central = new Waterfall.Fund("central", 10, m("1500"), Set.of("BOARDING_PRIMARY"), null);
        var backstop = new Waterfall.Fund("backstop", 30, m("800"), null, null);
        var charity = new Waterfall.Fund("lexi", 40, m("5000"), null, Set.of("p3"));
        var result = Waterfall.allocate(List.of(backstop, charity, central), List.of(
                new Waterfall.Entitlement("e1", "p1", "BOARDING_PRIMARY", m("500")),
                new Waterfall.Entitlement("e2", "p2", "BOARDING_PRIMARY", m("500")),
                new Waterfall.Entitlement("e3", "p3", "SENIOR_GRANT", m("1150")),
                new Waterfall.Entitlement("e4", "p4", "BOARDING_PRIMARY", m("625"))));
        assertThat(result.lines()).containsExactly(
                new Waterfall.Line("e1", "central", m("500")),
                new Waterfall.Line("e2", "central", m("500")),
                // the central fund may not pay a senior grant: the backstop does, then the sponsor the rest
                new Waterfall.Line("e3", "backstop", m("800")),
                new Waterfall.Line("e3", "lexi", m("350")),
                // a line paid by two funds has two parts that add up to its amount
                new Waterfall.Line("e4", "central", m("500")));
        assertThat(result.uncovered()).containsExactly(new Waterfall.Uncovered("e4", m("125")));
        assertThat(result.funds()).containsExactly(
                new Waterfall.FundUse("backstop", m("800"), m("0")),
                new Waterfall.FundUse("lexi", m("350"), m("4650")),
                new Waterfall.FundUse("central", m("1500"), m("0")));
    }

    @Test
    void fundsOfEqualPriorityAreUsedInTheOrderGiven() {
        var a = new Waterfall.Fund("a", 20, m("100"), null, null);
        var b = new Waterfall.Fund("b", 20, m("100"), null, null);
        var r = Waterfall.allocate(List.of(b, a), List.of(new Waterfall.Entitlement("e", "s", "X", m("150"))));
        assertThat(r.lines()).containsExactly(new Waterfall.Line("e", "b", m("100")), new Waterfall.Line("e", "a", m("50")));
    }

    @Test
    void refusesNegativeAmountsAndRepeatedIds() {
        var f = new Waterfall.Fund("f", 1, m("1"), null, null);
        assertThatThrownBy(() -> Waterfall.allocate(List.of(f, f), List.of())).hasMessageContaining("repeated fund");
        assertThatThrownBy(() -> Waterfall.allocate(List.of(new Waterfall.Fund("g", 1, m("-1"), null, null)), List.of()))
                .hasMessageContaining("negative budget");
        var e = new Waterfall.Entitlement("e", "s", "X", m("1"));
        assertThatThrownBy(() -> Waterfall.allocate(List.of(f), List.of(e, e))).hasMessageContaining("repeated entitlement");
        assertThatThrownBy(() -> Waterfall.allocate(List.of(f),
                List.of(new Waterfall.Entitlement("n", "s", "X", m("-0.01"))))).hasMessageContaining("negative amount");
    }

    /**
     * Property-based over random budgets, restrictions and entitlements (seeded, so a failure names its run and can
     * be replayed): every entitlement's parts plus its uncovered part equal its amount; no fund goes below zero or
     * pays more than its budget; a restricted fund pays only what it allows; and a lower-priority fund is used for
     * an entitlement only when every higher-priority fund that may pay it was exhausted at that moment.
     */
    @Test
    void randomBudgetsAndEntitlementsKeepEveryRule() {
        Random random = new Random(11L);
        String[] items = {"A", "B", "C", "D"};
        for (int run = 0; run < 3_000; run++) {
            int nf = 1 + random.nextInt(6);
            List<Waterfall.Fund> funds = new ArrayList<>();
            for (int i = 0; i < nf; i++) {
                Set<String> its = random.nextBoolean() ? null : pick(random, items);
                Set<String> students = random.nextInt(4) == 0 ? Set.of("s" + random.nextInt(10)) : null;
                funds.add(new Waterfall.Fund("f" + i, random.nextInt(4) * 10, new Money(random.nextLong(0, 500_000)),
                        its, students));
            }
            int ne = random.nextInt(40);
            List<Waterfall.Entitlement> ents = new ArrayList<>();
            for (int i = 0; i < ne; i++) {
                ents.add(new Waterfall.Entitlement("e" + i, "s" + random.nextInt(10), items[random.nextInt(items.length)],
                        new Money(random.nextLong(0, 300_000))));
            }
            Waterfall.Result r = Waterfall.allocate(funds, ents);
            String at = "run " + run;
            Map<String, Long> paid = new HashMap<>();
            Map<String, Waterfall.Fund> byCode = new HashMap<>();
            funds.forEach(f -> byCode.put(f.code(), f));
            Map<String, Long> uncovered = new HashMap<>();
            r.uncovered().forEach(u -> uncovered.put(u.entitlement(), u.amount().fen()));
            // Replay the allocation in order to check the priority rule against the funds' state at each step.
            Map<String, Long> left = new HashMap<>();
            funds.forEach(f -> left.put(f.code(), f.budget().fen()));
            int li = 0;
            for (Waterfall.Entitlement e : ents) {
                long sum = 0;
                List<Waterfall.Line> mine = new ArrayList<>();
                while (li < r.lines().size() && r.lines().get(li).entitlement().equals(e.id())) {
                    mine.add(r.lines().get(li++));
                }
                for (Waterfall.Line l : mine) {
                    Waterfall.Fund f = byCode.get(l.fund());
                    assertThat(l.amount().isPositive()).as(at).isTrue();
                    assertThat(f.items() == null || f.items().contains(e.item())).as(at + " item restriction").isTrue();
                    assertThat(f.students() == null || f.students().contains(e.student())).as(at + " student restriction")
                            .isTrue();
                    // every fund that may pay this entitlement and comes strictly earlier in the order is empty now
                    for (Waterfall.Fund g : funds) {
                        if (g.priority() < f.priority() && g.mayPay(e)) {
                            assertThat(left.get(g.code())).as(at + " " + g.code() + " before " + f.code()).isZero();
                        }
                    }
                    left.merge(l.fund(), -l.amount().fen(), Long::sum);
                    paid.merge(l.fund(), l.amount().fen(), Long::sum);
                    sum += l.amount().fen();
                }
                long gap = uncovered.getOrDefault(e.id(), 0L);
                assertThat(sum + gap).as(at + " parts + uncovered of " + e.id()).isEqualTo(e.amount().fen());
                if (gap > 0) {
                    for (Waterfall.Fund g : funds) {
                        if (g.mayPay(e)) {
                            assertThat(left.get(g.code())).as(at + " uncovered while " + g.code() + " has money").isZero();
                        }
                    }
                }
            }
            assertThat(li).as(at + " lines in entitlement order").isEqualTo(r.lines().size());
            for (Waterfall.FundUse u : r.funds()) {
                Waterfall.Fund f = byCode.get(u.code());
                assertThat(u.left().isNegative()).as(at).isFalse();
                assertThat(u.used().plus(u.left())).as(at).isEqualTo(f.budget());
                assertThat(u.used().fen()).as(at).isEqualTo(paid.getOrDefault(u.code(), 0L));
            }
        }
    }

    /** A term is allocated in chunks, each starting from what the chunks before left: the same as one pass. */
    @Test
    void allocatingInChunksCarryingWhatIsLeftEqualsOnePass() {
        Random random = new Random(7L);
        for (int run = 0; run < 500; run++) {
            List<Waterfall.Fund> funds = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(4); i++) {
                funds.add(new Waterfall.Fund("f" + i, random.nextInt(3), new Money(random.nextLong(0, 2_000_000)),
                        random.nextBoolean() ? null : Set.of("A"), null));
            }
            List<Waterfall.Entitlement> ents = new ArrayList<>();
            for (int i = 0; i < random.nextInt(60); i++) {
                ents.add(new Waterfall.Entitlement("e" + i, "s", random.nextBoolean() ? "A" : "B",
                        new Money(random.nextLong(0, 100_000))));
            }
            Waterfall.Result whole = Waterfall.allocate(funds, ents);
            List<Waterfall.Line> lines = new ArrayList<>();
            List<Waterfall.Uncovered> uncovered = new ArrayList<>();
            List<Waterfall.Fund> left = funds;
            int chunk = 1 + random.nextInt(7);
            for (int from = 0; from < ents.size(); from += chunk) {
                Waterfall.Result part = Waterfall.allocate(left, ents.subList(from, Math.min(ents.size(), from + chunk)));
                lines.addAll(part.lines());
                uncovered.addAll(part.uncovered());
                List<Waterfall.Fund> next = new ArrayList<>();
                for (int k = 0; k < left.size(); k++) {
                    Waterfall.Fund f = left.get(k);
                    next.add(new Waterfall.Fund(f.code(), f.priority(), part.funds().get(k).left(), f.items(), null));
                }
                left = next;
            }
            assertThat(lines).as("run %d", run).isEqualTo(whole.lines());
            assertThat(uncovered).as("run %d", run).isEqualTo(whole.uncovered());
        }
    }

    private static Set<String> pick(Random random, String[] items) {
        Set<String> out = new LinkedHashSet<>();
        for (String i : items) {
            if (random.nextBoolean()) {
                out.add(i);
            }
        }
        return out.isEmpty() ? new HashSet<>(Set.of(items[0])) : out;
    }
}
