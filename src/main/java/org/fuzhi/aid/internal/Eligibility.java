package org.fuzhi.aid.internal;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.fuzhi.aid.Catalog;
import org.fuzhi.aid.Terms;
import org.fuzhi.common.Money;
import org.fuzhi.common.RegionCode;
import org.fuzhi.common.Stage;

/**
 * Which catalog items a child holds in a term, and for how much: the item's rule over the child's identification
 * result and registry facts, then the compatibility rules (at most one item of a group — the first in catalog order —
 * and no item together with one it excludes). Pure, so that it is tested rule by rule.
 */
final class Eligibility {

    private Eligibility() {
    }

    /**
     * @param source   ROSTER or HARDSHIP
     * @param level    the identification level (a roster child without one counts as 一般困难, the policy floor)
     * @param category the household's poverty category (e.g. LIFTED, RURAL_DIBAO)
     */
    /** @param schoolRegion where the child is taught now: a local item pays only inside its own area */
    record Child(String source, String level, String category, Stage stage, Integer grade, boolean boarding,
                 boolean outsideCounty, String schoolRegion) {

        Child(String source, String level, String category, Stage stage, Integer grade, boolean boarding,
              boolean outsideCounty) {
            this(source, level, category, stage, grade, boarding, outsideCounty, null);
        }
    }

    record Held(Catalog.Item item, Money amount) {
    }

    /** The first day of the term, the day an item must be in force on. */
    static LocalDate termStart(int schoolYear, Terms.Term term) {
        return term == Terms.Term.AUTUMN ? LocalDate.of(schoolYear, 9, 1) : LocalDate.of(schoolYear + 1, 3, 1);
    }

    static String effectiveLevel(Child c) {
        if (c.level() != null && Catalog.LEVELS.contains(c.level())) {
            return c.level();
        }
        return "ROSTER".equals(c.source()) ? Catalog.LEVELS.get(0) : null;
    }

    static boolean qualifies(Catalog.Item i, Child c) {
        if (!i.stages().contains(c.stage()) || !i.sources().contains(c.source())) {
            return false;
        }
        String level = effectiveLevel(c);
        // Without a level a rated child is not in hardship (a roster child always has the policy floor).
        if (level == null) {
            return false;
        }
        if (i.minLevel() != null && (level == null
                || Catalog.LEVELS.indexOf(level) < Catalog.LEVELS.indexOf(i.minLevel()))) {
            return false;
        }
        if (i.categories() != null && !i.categories().isEmpty()
                && (c.category() == null || !i.categories().contains(c.category()))) {
            return false;
        }
        if (i.boarding() == Catalog.Boarding.BOARDING && !c.boarding()
                || i.boarding() == Catalog.Boarding.DAY && c.boarding()) {
            return false;
        }
        if (i.gradeFrom() != null && (c.grade() == null || c.grade() < i.gradeFrom())
                || i.gradeTo() != null && (c.grade() == null || c.grade() > i.gradeTo())) {
            return false;
        }
        if (i.inCountyOnly() && c.outsideCounty()) {
            return false;
        }
        // A county's own item pays the children taught inside that county only (a city or province term holds
        // several counties' items).
        return i.national() || c.schoolRegion() == null
                || c.schoolRegion().startsWith(new RegionCode(i.scopeCode()).prefix());
    }

    /**
     * This term's part of the yearly amount: split over the year's payments by the largest remainder, so the parts
     * of a year add up to it; an item paid once a year is paid in the autumn term.
     */
    static Money termAmount(Catalog.Item i, String level, Terms.Term term) {
        if (i.kind() == Catalog.Kind.LOAN) {
            // A loan is processed, not given: its amount (up to the catalog's ceiling) is the bank's, so the
            // entitlement records the service with no value, and no report adds loans to aid.
            return term == Terms.Term.AUTUMN ? Money.ZERO : null;
        }
        Money year = Money.of(i.amountFor(level));
        if (i.termsPerYear() == 1) {
            return term == Terms.Term.AUTUMN ? year : null;
        }
        return year.splitEvenly(i.termsPerYear()).get(term == Terms.Term.AUTUMN ? 0 : 1);
    }

    /** @param items the catalog in order, already narrowed to the term's area and date */
    static List<Held> held(List<Catalog.Item> items, Child c, Terms.Term term) {
        return held(items, c, term, List.of());
    }

    /**
     * @param already items the child holds this term already (kept from an earlier generation, or in another
     *                county's term): not given again, and their groups and exclusions hold for the rest
     */
    static List<Held> held(List<Catalog.Item> items, Child c, Terms.Term term, List<Catalog.Item> already) {
        List<Held> out = new ArrayList<>();
        Set<String> groups = new HashSet<>();
        Set<String> codes = new HashSet<>();
        List<Catalog.Item> holding = new ArrayList<>(already);
        for (Catalog.Item a : already) {
            codes.add(a.code());
            if (a.compatGroup() != null) {
                groups.add(a.compatGroup());
            }
        }
        String level = effectiveLevel(c);
        for (Catalog.Item i : items) {
            if (codes.contains(i.code()) || !qualifies(i, c)) {
                continue;
            }
            if (i.compatGroup() != null && groups.contains(i.compatGroup())) {
                continue;
            }
            boolean excluded = i.notWith().stream().anyMatch(codes::contains)
                    || holding.stream().anyMatch(h -> h.notWith().contains(i.code()));
            if (excluded) {
                continue;
            }
            Money amount = termAmount(i, level, term);
            if (amount == null) {
                continue;
            }
            out.add(new Held(i, amount));
            holding.add(i);
            codes.add(i.code());
            if (i.compatGroup() != null) {
                groups.add(i.compatGroup());
            }
        }
        return out;
    }

    static BigDecimal sum(List<Held> held) {
        return held.stream().map(h -> h.amount().toBigDecimal()).reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
