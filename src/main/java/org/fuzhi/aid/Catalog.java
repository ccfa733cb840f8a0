package org.fuzhi.aid;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.fuzhi.common.Stage;
import org.fuzhi.platform.CurrentUser;

/**
 * 资助政策目录 — aid items from kindergarten to university: who qualifies (identification source and level, household
 * category, boarding, stage, grade, in-county), how much per year (with tiers by level), how many payments a year,
 * and which items exclude each other. Every edit is a new version, audited; entitlements keep the version they were
 * generated under.
 */
public interface Catalog {

    /** CASH moves money; a WAIVER (免学费) or IN_KIND aid is recorded with its value; a LOAN is a service. */
    enum Kind { CASH, WAIVER, IN_KIND, LOAN;

        public boolean movesMoney() {
            return this == CASH;
        }
    }

    enum Boarding { ANY, BOARDING, DAY }

    /** The identification levels from the lowest to the highest. */
    List<String> LEVELS = List.of("一般困难", "困难", "特别困难");

    /** The current version of every item that applies in the user's area (national items and its own). */
    List<Item> items(CurrentUser user);

    /** Every version of one item, newest first. */
    List<Item> history(CurrentUser user, String code);

    /**
     * Saves an item as its next version (or its first, for a new code). A county center adds and edits its own
     * local items; national items are edited by a province center.
     */
    Item save(CurrentUser user, ItemEdit edit);

    /**
     * @param scopeCode   000000000000 for a national item, otherwise the region whose students it serves
     * @param sources     ROSTER and/or HARDSHIP (the identification result that qualifies)
     * @param minLevel    the lowest level that qualifies (null: any identified child)
     * @param categories  household categories that qualify (null: any)
     * @param tiers       the yearly amount by level, where it differs from {@code amount}
     * @param compatGroup at most one item of a group per student and term (the first in catalog order)
     * @param notWith     codes of items a student holding this one may not also hold
     */
    record Item(long id, String code, int version, boolean current, int sortOrder, String name,
                List<Stage> stages, Kind kind, String scopeCode, List<String> sources, String minLevel,
                List<String> categories, Boarding boarding, Integer gradeFrom, Integer gradeTo, boolean inCountyOnly,
                BigDecimal amount, Map<String, BigDecimal> tiers, int termsPerYear, String compatGroup,
                List<String> notWith, LocalDate effectiveFrom, LocalDate effectiveTo, String changedBy,
                Instant changedAt, String note) {

        /** The yearly amount for a child of this level. */
        public BigDecimal amountFor(String level) {
            if (tiers != null && level != null && tiers.containsKey(level)) {
                return tiers.get(level);
            }
            return amount;
        }

        public boolean national() {
            return NATIONAL.equals(scopeCode);
        }
    }

    String NATIONAL = "000000000000";

    /** A new item ({@code code} not yet used) or the next version of one; {@code expectedVersion} guards the edit. */
    record ItemEdit(String code, Integer expectedVersion, String name, List<Stage> stages, Kind kind,
                    String scopeCode, List<String> sources, String minLevel, List<String> categories,
                    Boarding boarding, Integer gradeFrom, Integer gradeTo, boolean inCountyOnly, BigDecimal amount,
                    Map<String, BigDecimal> tiers, int termsPerYear, String compatGroup, List<String> notWith,
                    LocalDate effectiveFrom, LocalDate effectiveTo, Integer sortOrder, String note) {
    }
}
