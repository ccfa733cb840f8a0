package org.fuzhi.aid;

import java.io.OutputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.common.Page;
import org.fuzhi.platform.CurrentUser;

/**
 * 学期 — the aid cycle. A county center opens a term on a final identification round; generating it re-verifies
 * each identified child's enrolment and writes their entitlements from the catalog (one item per student per term
 * anywhere, held by a database key), and lists the children left without any (应助尽助) with the reason; allocating
 * it pays each cash entitlement from the funds by the waterfall and reports the shortfall.
 */
public interface Terms {

    enum Term { AUTUMN, SPRING }

    enum Status { OPEN, GENERATED, ALLOCATED }

    /** Why an identified child has no entitlement this term. */
    enum MissedReason {
        /** The registry no longer shows the child in school (dropped out, graduated, transferred away). */
        LEFT_SCHOOL,
        /** No registry enrolment at all. */
        NOT_ENROLLED,
        /** No item of the catalog fits the child's stage, grade and facts. */
        NO_ITEM,
        /** Every item the child qualifies for is already held this term elsewhere (another school or county). */
        ENTITLED_ELSEWHERE,
        /** The child now neither lives nor studies in the term's area: not this term's to pay. */
        MOVED_AWAY,
        /**
         * A university or higher-vocational student with no county item this term: their grants are the
         * university's (国家助学金), the county processes the 生源地 loan. Listed, nothing to explain.
         */
        HIGHER_EDUCATION;

        /** Whether the school or center must explain the row (it is not explained by the reason itself). */
        public boolean needsExplanation() {
            return this != HIGHER_EDUCATION && this != MOVED_AWAY;
        }
    }

    TermView open(CurrentUser user, NewTerm term);

    List<TermView> list(CurrentUser user);

    TermView term(CurrentUser user, long termId);

    /** Generates (or re-generates: idempotent, allocated entitlements kept) the term's entitlements. */
    TermView generate(CurrentUser user, long termId);

    /** Allocates the term's unallocated cash entitlements from the funds of its year by the waterfall. */
    AllocationReport allocate(CurrentUser user, long termId);

    Page<EntitlementView> entitlements(CurrentUser user, long termId, String schoolCode, int page, int size);

    /**
     * The term's aid list as .xlsx, one row per entitlement and fund part (names masked as the viewer's role
     * requires); audited with the row count.
     */
    long exportEntitlements(CurrentUser user, long termId, String schoolCode, OutputStream out,
                            Locale locale);

    /** 应助尽助: the identified children of the term without an entitlement, with the reason. */
    Page<MissedView> missed(CurrentUser user, long termId, String schoolCode, int page, int size);

    /** The school (or the center) explains why a child is left without aid; audited. */
    MissedView explain(CurrentUser user, long missedId, String explanation);

    /** Aid of the term by item and by school: count and amount of entitlements, allocated and short. */
    TermSummary summary(CurrentUser user, long termId);

    /** @param termCode e.g. {@code 2026-AUTUMN}: the same code in every county, the key duplicates are checked on */
    /**
     * @param entitled entitlements (items) of the term
     * @param children children holding at least one
     * @param missed   identified children holding none (应助尽助 list)
     */
    record TermView(long id, String scopeCode, String scopeName, int schoolYear, Term term, String termCode,
                    long roundId, String roundName, Status status, int entitled, int children, int missed,
                    int duplicates, String openedBy, Instant openedAt, Instant generatedAt, Instant allocatedAt,
                    int version) implements Serializable {

        /** 应助尽助率: the share of the term's identified children who hold aid (null before generation). */
        public Double coverage() {
            return children + missed == 0 ? null : (double) children / (children + missed);
        }
    }

    record NewTerm(int schoolYear, Term term, long roundId, String scopeCode) {
    }

    /** @param name masked as the viewer's role requires */
    record EntitlementView(long id, long studentId, String name, String schoolCode, String schoolName, String stage, Integer grade,
                           String level, String itemCode, String itemName, Catalog.Kind kind, BigDecimal amount,
                           BigDecimal allocated, String status, List<FundPart> parts) {
    }

    record FundPart(String fundCode, String fundName, BigDecimal amount) {
    }

    record MissedView(long id, String name, String schoolCode, String schoolName, String stage, Integer grade,
                      String level, MissedReason reason, String explanation, String explainedBy,
                      Instant explainedAt) {
    }

    /**
     * @param shortByItem   uncovered cash by item code (what no fund could pay)
     * @param shortBySchool uncovered cash by school code
     */
    record AllocationReport(TermView term, long entitlements, BigDecimal allocated, BigDecimal uncovered,
                            Map<String, BigDecimal> shortByItem, Map<String, BigDecimal> shortBySchool,
                            List<Funds.FundView> funds) implements Serializable {
    }

    /**
     * What a term paid in the user's area, cut every way a report needs (each cut adds up to the same whole).
     *
     * @param byStage        the same by stage (code = the stage)
     * @param byTownship     the same by the township the child lives in (code = the township's region code; a child
     *                       living outside the area under code {@code OUTSIDE})
     * @param byFund         what each fund pays of the term: allocated, then paid and returned by the bank
     * @param failedPayments payment attempts the bank returned as failed and not yet paid again
     */
    record TermSummary(List<Row> byItem, List<Row> bySchool, List<Row> byStage, List<Row> byTownship,
                       List<FundRow> byFund, long duplicatesPrevented, long missed, long failedPayments) {
        /**
         * @param value entitlement amounts (a waiver's value counts here too); {@code allocated}, {@code paid} and
         *              {@code uncovered} are cash only
         */
        public record Row(String code, String name, long count, BigDecimal value, BigDecimal allocated,
                          BigDecimal paid, BigDecimal uncovered) {
        }

        /** @param payable approved for payment, not yet answered by the bank */
        public record FundRow(String code, String name, Funds.Kind kind, long parts, BigDecimal allocated,
                              BigDecimal payable, BigDecimal paid, BigDecimal returned) {
        }
    }
}
