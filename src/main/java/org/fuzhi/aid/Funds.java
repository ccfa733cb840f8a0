package org.fuzhi.aid;

import java.io.OutputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import org.fuzhi.platform.CurrentUser;

/**
 * 资金来源 — the money a county pays aid from, each with a yearly budget, a place in the waterfall and what it may pay;
 * and the double-entry ledger over them that must balance to the fen after every operation.
 */
public interface Funds {

    /** The kinds in their usual waterfall order: special funds first, the backstop next, charity last. */
    enum Kind {
        CENTRAL_SPECIAL(10), PROVINCIAL_SPECIAL(20), COUNTY_BACKSTOP(30), CHARITY_RESTRICTED(40), CHARITY(50);

        private final int defaultPriority;

        Kind(int defaultPriority) {
            this.defaultPriority = defaultPriority;
        }

        public int defaultPriority() {
            return defaultPriority;
        }
    }

    List<FundView> list(CurrentUser user, Integer year);

    FundView create(CurrentUser user, NewFund fund);

    /** Raises or lowers a fund's budget; never below what is already allocated from it. */
    FundView setBudget(CurrentUser user, long fundId, int expectedVersion, BigDecimal budget);

    /** The fund's statement as .xlsx: every ledger entry with its running available balance; audited. */
    long statement(CurrentUser user, long fundId, OutputStream out, Locale locale);

    /** The fund as the user may see it (for a statement's title); NotFound when it is not theirs. */
    FundView statementOf(CurrentUser user, long fundId);

    /** How many ledger entries the fund's statement holds. */
    long statementRows(CurrentUser user, long fundId);

    /** Checks the ledger against itself and against the allocation lines, per fund in the user's area. */
    LedgerCheck check(CurrentUser user);

    /**
     * @param items    item codes it may pay (null: any)
     * @param regions  region codes of the students it may pay (null: any)
     * @param students person ids of the students it may pay, one-to-one sponsorship (null: any)
     */
    record NewFund(String code, String name, Kind kind, String scopeCode, int budgetYear, Integer priority,
                   BigDecimal budget, List<String> items, List<String> regions, List<Long> students) {
    }

    record FundView(long id, String code, String name, Kind kind, String scopeCode, int budgetYear, int priority,
                    BigDecimal budget, BigDecimal allocated, BigDecimal paid, BigDecimal returned, BigDecimal available,
                    List<String> items, List<String> regions, int students, int version) implements Serializable {
    }

    /** @param problems what does not add up, in words (empty when balanced) */
    record LedgerCheck(boolean balanced, List<FundView> funds, List<String> problems) {
    }
}
