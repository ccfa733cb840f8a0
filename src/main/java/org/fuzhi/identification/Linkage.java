package org.fuzhi.identification;

import java.io.OutputStream;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.fuzhi.common.Page;
import org.fuzhi.platform.CurrentUser;

/**
 * 记录关联 — links poverty-roster members to registry persons: exact on the normalised ID number, then
 * Fellegi–Sunter weights over name (characters and sound), birth date, gender, village and a near-miss ID.
 * Above the upper threshold a pair is linked, between the thresholds it waits in the review queue.
 */
public interface Linkage {

    Stats run(CurrentUser user);

    Page<ReviewItem> reviewQueue(CurrentUser user, int page, int size);

    /** A clerk's decision on a queued pair; {@code expectedVersion} guards against two clerks deciding at once. */
    void decide(CurrentUser user, long rosterMemberId, int expectedVersion, boolean accept);

    /** Current roster members and how each was (or was not) linked. */
    Stats stats(CurrentUser user);

    /**
     * The m/u probabilities and weights of the last run: estimated by EM from its candidate pairs, or the defaults
     * when there were too few pairs or the estimate was implausible.
     */
    /** The weights of the last run over the user's area (the defaults until one has run there). */
    Weights weights(CurrentUser user);

    /** @param matchShare the estimated share of candidate pairs that are true matches (NaN for the defaults) */
    record Weights(String source, double matchShare, int iterations, double upper, double lower, List<Row> rows) {
        public record Row(String field, String level, double m, double u, double weight) {
        }
    }

    record Stats(long members, long exact, long probabilistic, long clerical, long review, long unlinked,
                 long rejected) implements Serializable {
    }

    /**
     * One pair in the review queue. Names are shown to the aid center (who decides), ID numbers masked.
     *
     * @param evidence each compared field with its agreement level and weight, e.g. {@code name=HOMOPHONE:+6.6}
     */
    /**
     * @param rosterBirth       the birth date the roster line's ID number gives (or its own column where the number
     *                          gives none)
     * @param rosterStatedBirth the roster's own birth-date column where it says something else, else null: the
     *                          reviewer sees why a pair is in doubt
     */
    record ReviewItem(long rosterMemberId, int version, String rosterName, String rosterIdMasked, String rosterBirth,
                      String rosterStatedBirth, String rosterVillage, String householdNo, long personId,
                      String personName, String personIdMasked, String personBirth, String personVillage,
                      Long studentId, double score, List<Evidence> evidence, Instant linkedAt) {
    }

    record Evidence(String field, String agreement, double weight) {
    }

    /**
     * Every current roster line of the user's area with its decision (issue 10): readable by the aid center, the
     * leader and the evaluator, names masked as the role requires.
     */
    Page<LinkView> links(CurrentUser user, LinkQuery query, int page, int size);

    /** The same lines as an .xlsx workbook (more than a sheet rolls over); returns the number of lines. Audited. */
    long exportLinks(CurrentUser user, LinkQuery query, OutputStream out, Locale locale);

    /** Decisions as a reader names them; {@code REVIEWED} and {@code REJECTED} are a person's. */
    enum Decision { EXACT, PROBABILISTIC, REVIEWED, REVIEW, UNLINKED, REJECTED, PENDING }

    /** Filters; each null or blank means any. */
    record LinkQuery(Long member, Long person, String household, String village, Decision decision) {
    }

    /**
     * @param decidedBy the user who decided, for a person's decision (null for the machine's)
     */
    record LinkView(long rosterMemberId, String name, String idMasked, String householdNo, String villageCode,
                    String category, Decision decision, Long personId, String personName, String personIdMasked,
                    Double score, List<Evidence> evidence, String decidedBy, Instant decidedAt) {
    }
}
