package org.fuzhi.identification.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import org.fuzhi.common.Gender;
import org.fuzhi.identification.internal.LinkDecisions.Line;
import org.fuzhi.identification.internal.Linker.Link;
import org.fuzhi.identification.internal.Linker.Member;
import org.fuzhi.platform.Sealed;
import org.fuzhi.registry.Registry;
import org.fuzhi.registry.Registry.PersonRef;
import org.junit.jupiter.api.Test;

/** How scored candidates become a link, a review or nothing, and which of several lines for one person stands. */
class LinkDecisionsTest {

    static final double LOWER = 3;
    static final double UPPER = 10;
    static final LocalDate BIRTH = LocalDate.of(2015, 3, 4);

    static Member line(long id) {
        return new Member(id, "王小明", Sealed.clear(null), null, "M", BIRTH, "421182101201", "H1", "LIFTED", BIRTH,
                "M");
    }

    static Scoring.Scored candidate(long personId, double weight, String evidence) {
        return new Scoring.Scored(new PersonRef(personId, Sealed.clear(null), "王小明", Gender.M, BIRTH,
                "421182101201", null, null, "H1"), weight, evidence);
    }

    static Link decide(Member m, Scoring.Scored... scored) {
        return LinkDecisions.decide(m, List.of(scored), LOWER, UPPER);
    }

    @Test
    void aLineWithoutCandidatesIsUnlinked() {
        Link l = decide(line(1));
        assertThat(l.status()).isEqualTo("UNLINKED");
        assertThat(l.personId()).isNull();
        assertThat(l.evidence()).isEqualTo("block=EMPTY:0");
    }

    @Test
    void theThresholdsDecideLinkReviewOrNothing() {
        assertThat(decide(line(1), candidate(7, UPPER, "name=EXACT:+10.0")).status()).isEqualTo("LINKED");
        assertThat(decide(line(1), candidate(7, UPPER - 0.01, "name=EXACT:+9.99")).status()).isEqualTo("REVIEW");
        assertThat(decide(line(1), candidate(7, LOWER, "name=SIMILAR:+3.0")).status()).isEqualTo("REVIEW");
        Link none = decide(line(1), candidate(7, LOWER - 0.01, "name=SIMILAR:+2.99"));
        assertThat(none.status()).isEqualTo("UNLINKED");
        assertThat(none.personId()).as("an unlinked line names nobody").isNull();
        assertThat(none.score()).isEqualTo(LOWER - 0.01);
    }

    @Test
    void theBestCandidateIsTakenWhateverOrderTheyCameIn() {
        Link l = decide(line(1), candidate(8, 4, "b"), candidate(7, 20, "a"), candidate(9, -2, "c"));
        assertThat(l.personId()).isEqualTo(7L);
        assertThat(l.status()).isEqualTo("LINKED");
        assertThat(l.score()).isEqualTo(20);
        assertThat(l.method()).isEqualTo("PROBABILISTIC");
        assertThat(l.memberId()).isEqualTo(1L);
    }

    @Test
    void aRunnerUpCloseBehindSendsTheLineToReview() {
        Link close = decide(line(1), candidate(7, 20, "a"), candidate(8, 15.5, "b"));
        assertThat(close.status()).isEqualTo("REVIEW");
        assertThat(close.personId()).isEqualTo(7L);
        assertThat(close.evidence()).isEqualTo("a;second=AMBIGUOUS:+15.5");
        // Five ahead is clear.
        assertThat(decide(line(1), candidate(7, 20, "a"), candidate(8, 15, "b")).status()).isEqualTo("LINKED");
        // A runner-up below the review threshold is no competitor, however close.
        Link alone = decide(line(1), candidate(7, 12, "a"), candidate(8, LOWER - 0.5, "b"));
        assertThat(alone.status()).isEqualTo("LINKED");
        assertThat(alone.evidence()).isEqualTo("a");
    }

    @Test
    void aNamesakeOfAnotherGenerationIsReviewedHoweverHighItScores() {
        Link l = decide(line(1), candidate(7, 30, "name=EXACT:+12.0;birth=FAR:-8.0"));
        assertThat(l.status()).isEqualTo("REVIEW");
        assertThat(l.personId()).isEqualTo(7L);
    }

    @Test
    void anExactIdContradictedByItsOwnerIsNeverLinkedToTheOwner() {
        Member m = line(1).contradicting("NAME_MISMATCH", 5);
        // Nobody else found: the owner is shown for a person to decide.
        Link onlyOwner = decide(m, candidate(5, 25, "id=EXACT:+20.0"));
        assertThat(onlyOwner.status()).isEqualTo("REVIEW");
        assertThat(onlyOwner.personId()).isEqualTo(5L);
        assertThat(onlyOwner.evidence()).isEqualTo("idcheck=NAME_MISMATCH:+0.0;id=EXACT:+20.0");
        // Not even among the candidates: still reviewed, against the owner.
        Link noCandidates = decide(m);
        assertThat(noCandidates.status()).isEqualTo("REVIEW");
        assertThat(noCandidates.personId()).isEqualTo(5L);
        assertThat(noCandidates.evidence()).isEqualTo("idcheck=NAME_MISMATCH:+0.0");
        // Another candidate too weak to stand: the owner is still the one shown.
        Link weak = decide(m, candidate(5, 25, "o"), candidate(6, 1, "w"));
        assertThat(weak.personId()).isEqualTo(5L);
        assertThat(weak.status()).isEqualTo("REVIEW");
        // Another candidate with evidence of its own may be linked, and the link says what the ID did.
        Link other = decide(m, candidate(5, 25, "o"), candidate(6, 14, "name=EXACT"));
        assertThat(other.status()).isEqualTo("LINKED");
        assertThat(other.personId()).isEqualTo(6L);
        assertThat(other.evidence()).isEqualTo("idcheck=NAME_MISMATCH:+0.0;name=EXACT");
    }

    @Test
    void aContradictedIdWithoutTheOwnerAmongCandidatesShowsTheBestOther() {
        Member m = line(1).contradicting("BIRTH_MISMATCH", 5);
        Link l = decide(m, candidate(6, 2, "weak"));
        assertThat(l.status()).isEqualTo("REVIEW");
        assertThat(l.personId()).isEqualTo(6L);
        assertThat(l.score()).isEqualTo(2);
        assertThat(l.evidence()).isEqualTo("idcheck=BIRTH_MISMATCH:+0.0;weak");
    }

    // ---------------------------------------------------------------- one person, one line

    static List<Long> demoted(Line... lines) {
        return LinkDecisions.outcompeted(List.of(List.of(lines)));
    }

    @Test
    void anExactIdBeatsAProbabilisticLink() {
        assertThat(demoted(new Line(1, 7, "PROBABILISTIC", 40), new Line(2, 7, "EXACT_ID", 99))).containsExactly(1L);
    }

    @Test
    void twoExactIdsForOnePersonBothGoToReview() {
        assertThat(demoted(new Line(1, 7, "EXACT_ID", 99), new Line(2, 7, "EXACT_ID", 99)))
                .containsExactlyInAnyOrder(1L, 2L);
    }

    @Test
    void aProbabilisticLinkStandsOnlyWithAClearLead() {
        assertThat(demoted(new Line(1, 7, "PROBABILISTIC", 15), new Line(2, 7, "PROBABILISTIC", 20)))
                .containsExactly(1L);
        assertThat(demoted(new Line(1, 7, "PROBABILISTIC", 15.1), new Line(2, 7, "PROBABILISTIC", 20)))
                .containsExactlyInAnyOrder(1L, 2L);
        // Three lines: the clear winner stays, both others go.
        assertThat(demoted(new Line(1, 7, "PROBABILISTIC", 12), new Line(2, 7, "PROBABILISTIC", 30),
                new Line(3, 7, "PROBABILISTIC", 11))).containsExactlyInAnyOrder(1L, 3L);
    }

    @Test
    void aPersonsDecisionIsNeverOverruledByTheMachine() {
        assertThat(demoted(new Line(1, 7, "EXACT_ID", 99), new Line(2, 7, "CLERICAL", 0))).containsExactly(1L);
        assertThat(demoted(new Line(1, 7, "CLERICAL", 0), new Line(2, 7, "CLERICAL", 0))).isEmpty();
        assertThat(demoted(new Line(1, 7, "CLERICAL", 0), new Line(2, 7, "CLERICAL", 0),
                new Line(3, 7, "PROBABILISTIC", 50))).containsExactly(3L);
    }

    @Test
    void eachPersonIsJudgedOnItsOwnLines() {
        List<Long> out = LinkDecisions.outcompeted(List.of(
                List.of(new Line(1, 7, "EXACT_ID", 99), new Line(2, 7, "PROBABILISTIC", 30)),
                List.of(new Line(3, 8, "PROBABILISTIC", 30), new Line(4, 8, "PROBABILISTIC", 29))));
        assertThat(out).containsExactlyInAnyOrder(2L, 3L, 4L);
    }

    @Test
    void anExactMatchIsContradictedByAnotherNameOrABirthDateFarOff() {
        var owner = new Registry.IdOwner(5, "王建国", Gender.M, LocalDate.of(1980, 1, 1), "H1");
        Member sameHousehold = new Member(1, "王小明", Sealed.clear(null), null, "M", BIRTH, "421182101201", "H1",
                "LIFTED", BIRTH, "M");
        Member elsewhere = new Member(1, "王小明", Sealed.clear(null), null, "M", BIRTH, "421182101201", "H9",
                "LIFTED", BIRTH, "M");
        assertThat(LinkDecisions.contradiction(sameHousehold, owner)).isEqualTo("RELATIVE_ID");
        assertThat(LinkDecisions.contradiction(elsewhere, owner)).isEqualTo("NAME_MISMATCH");
        Member sameName = new Member(1, "王建国", Sealed.clear(null), null, "M", null, "421182101201", "H1",
                "LIFTED", LocalDate.of(1980, 1, 4), "M");
        assertThat(LinkDecisions.contradiction(sameName, owner)).as("three days off is a typo").isNull();
        Member farOff = new Member(1, "王建国", Sealed.clear(null), null, "M", null, "421182101201", "H1",
                "LIFTED", LocalDate.of(1980, 2, 15), "M");
        assertThat(LinkDecisions.contradiction(farOff, owner)).isEqualTo("BIRTH_MISMATCH");
        Member noDate = new Member(1, "王建国", Sealed.clear(null), null, "M", null, "421182101201", "H1",
                "LIFTED", null, "M");
        assertThat(LinkDecisions.contradiction(noDate, owner)).isNull();
    }
}
