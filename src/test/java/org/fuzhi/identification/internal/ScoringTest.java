package org.fuzhi.identification.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.Map;
import org.fuzhi.common.Gender;
import org.fuzhi.identification.Linkage;
import org.fuzhi.identification.internal.Linker.Member;
import org.fuzhi.platform.Sealed;
import org.fuzhi.registry.Registry.PersonRef;
import org.junit.jupiter.api.Test;

/** A roster line against a registry person, field by field, as the linkage weighs them. */
class ScoringTest {

    static final String ID = "421182201503040013";
    static final LocalDate BIRTH = LocalDate.of(2015, 3, 4);
    static final String VILLAGE = "421182101201";

    static Member line(String raw, LocalDate birth, LocalDate stated, String gender, String statedGender,
                       String village, String household) {
        return new Member(1, "王小明", Sealed.clear(raw), null, gender, birth, village, household, "LIFTED", stated,
                statedGender);
    }

    static PersonRef person(String id, LocalDate birth, Gender gender, String village, String household) {
        return new PersonRef(7, Sealed.clear(id), "王小明", gender, birth, village, null, null, household);
    }

    @Test
    void idNumbersCompareByTheKindOfSlip() {
        assertThat(Scoring.idAgreement(ID, ID)).isEqualTo("EXACT");
        assertThat(Scoring.idAgreement(ID, "42118220150304001X")).isEqualTo("CHECK_DIGIT");
        assertThat(Scoring.idAgreement(ID, "421182201503040113")).isEqualTo("ONE_DIGIT");
        // one digit changed and the check digit with it
        assertThat(Scoring.idAgreement(ID, "421182201503040115")).isEqualTo("ONE_DIGIT");
        assertThat(Scoring.idAgreement(ID, "421182201530040013")).isEqualTo("SWAPPED");
        // two adjacent digits swapped and the check digit recomputed
        assertThat(Scoring.idAgreement(ID, "421182201530040016")).isEqualTo("SWAPPED");
        // two digits apart, or adjacent but not a swap: another number
        assertThat(Scoring.idAgreement(ID, "421182201503140113")).isEqualTo("DIFFERENT");
        assertThat(Scoring.idAgreement(ID, "421182201599040013")).isEqualTo("DIFFERENT");
        assertThat(Scoring.idAgreement(ID, "421182201599040016")).isEqualTo("DIFFERENT");
        assertThat(Scoring.idAgreement(ID, "421182201503041113")).isEqualTo("DIFFERENT");
        assertThat(Scoring.idAgreement(ID, null)).isEqualTo("DIFFERENT");
        assertThat(Scoring.idAgreement(ID, "42118220150304001")).isEqualTo("DIFFERENT");
    }

    @Test
    void theLetterOIsAZeroAndSeparatorsAreDropped() {
        assertThat(Scoring.idDigits("4211822O15O304OO1x")).isEqualTo("42118220150304001X");
        assertThat(Scoring.idDigits("421182 2015-0304 0013")).isEqualTo(ID);
        assertThat(Scoring.idDigits("4211822o15")).isEqualTo("4211822015");
        assertThat(Scoring.idDigits(null)).isEmpty();
    }

    @Test
    void birthDatesAgreeExactlyByTypoOrNotAtAll() {
        assertThat(Scoring.birthAgreement(line(null, null, null, null, null, VILLAGE, null), BIRTH)).isNull();
        assertThat(Scoring.birthAgreement(line(null, BIRTH, null, null, null, VILLAGE, null), BIRTH))
                .isEqualTo("EXACT");
        // the roster's own column counts when the ID's date is wrong
        assertThat(Scoring.birthAgreement(line(null, LocalDate.of(2015, 8, 8), BIRTH, null, null, VILLAGE, null),
                BIRTH)).isEqualTo("EXACT");
        // day and month swapped
        assertThat(Scoring.birthAgreement(line(null, LocalDate.of(2015, 4, 3), null, null, null, VILLAGE, null),
                BIRTH)).isEqualTo("VARIANT");
        // three days off is a slip, four is not
        assertThat(Scoring.birthAgreement(line(null, BIRTH.plusDays(3), null, null, null, VILLAGE, null), BIRTH))
                .isEqualTo("VARIANT");
        assertThat(Scoring.birthAgreement(line(null, BIRTH.minusDays(3), null, null, null, VILLAGE, null), BIRTH))
                .isEqualTo("VARIANT");
        assertThat(Scoring.birthAgreement(line(null, LocalDate.of(2015, 3, 8), null, null, null, VILLAGE, null),
                BIRTH)).isEqualTo("DIFFERENT");
        // a decade or more away is another generation
        assertThat(Scoring.birthAgreement(line(null, LocalDate.of(2005, 7, 9), null, null, null, VILLAGE, null),
                BIRTH)).isEqualTo("FAR");
        assertThat(Scoring.birthAgreement(line(null, LocalDate.of(2006, 7, 9), null, null, null, VILLAGE, null),
                BIRTH)).isEqualTo("DIFFERENT");
        // far only when every date the line gives is far
        assertThat(Scoring.birthAgreement(line(null, LocalDate.of(1985, 7, 9), LocalDate.of(2012, 7, 9), null, null,
                VILLAGE, null), BIRTH)).isEqualTo("DIFFERENT");
    }

    @Test
    void blockingDatesAreTheDateAndItsUsualMistypings() {
        // 20150304: day and month swapped gives 0403; every digit transposition is no date (month 30, day 40) or in
        // the future (2105, 2051) or before 1901 (0215)
        assertThat(Scoring.blockingDates(LocalDate.of(2015, 3, 4)))
                .containsExactly(LocalDate.of(2015, 3, 4), LocalDate.of(2015, 4, 3));
        // 20121121: three transpositions are dates (11/21 has no day-month swap)
        assertThat(Scoring.blockingDates(LocalDate.of(2012, 11, 21))).containsExactly(LocalDate.of(2012, 11, 21),
                LocalDate.of(2021, 11, 21), LocalDate.of(2012, 12, 11),
                LocalDate.of(2012, 11, 12));
        // 19010101: 1900 is not a year a person here was born in, 1901 is
        assertThat(Scoring.blockingDates(LocalDate.of(1901, 1, 1))).containsExactly(LocalDate.of(1901, 1, 1),
                LocalDate.of(1910, 1, 1), LocalDate.of(1901, 10, 1), LocalDate.of(1901, 1, 10));
        assertThat(Scoring.blockingDates((LocalDate) null)).isEmpty();
    }

    @Test
    void withoutADateTheIdsDigitsGiveTheBlocks() {
        // month 30 is impossible: the ID's birth digits swapped; the transpositions find the real date
        assertThat(Scoring.blockingDates(null, "421182201530040013")).contains(BIRTH);
        assertThat(Scoring.blockingDates(null, "4211822015")).isEmpty();
        assertThat(Scoring.blockingDates(null, null)).isEmpty();
        assertThat(Scoring.blockingDates(BIRTH, "421182201530040013")).isEqualTo(Scoring.blockingDates(BIRTH));
        // a line's own birth-date column adds its blocks
        Member both = line(null, BIRTH, LocalDate.of(2016, 6, 6), null, null, VILLAGE, null);
        assertThat(Scoring.blockingDates(both)).contains(BIRTH, LocalDate.of(2016, 6, 6));
        Member same = line(null, BIRTH, BIRTH, null, null, VILLAGE, null);
        assertThat(Scoring.blockingDates(same)).isEqualTo(Scoring.blockingDates(BIRTH));
    }

    @Test
    void eachFieldIsComparedWhereBothSidesHaveIt() {
        PersonRef p = person(ID, BIRTH, Gender.M, VILLAGE, "H1");
        Map<String, String> all = Scoring.compare(line(ID, BIRTH, null, "M", null, VILLAGE, " H1 "), p).levels();
        assertThat(all).containsExactly(Map.entry("id", "NEAR"), Map.entry("name", "EXACT"),
                Map.entry("birth", "EXACT"), Map.entry("gender", "AGREE"), Map.entry("village", "SAME"),
                Map.entry("household", "SAME_HOUSEHOLD"));
        Map<String, String> none = Scoring.compare(line(null, null, null, null, null, null, null), p).levels();
        assertThat(none).containsOnlyKeys("name");
    }

    @Test
    void theRostersGenderColumnSpeaksForTheLine() {
        PersonRef girl = person(ID, BIRTH, Gender.F, VILLAGE, null);
        // the ID's digit says M (a relative's number), the roster says F
        assertThat(Scoring.compare(line(ID, BIRTH, null, "M", "F", VILLAGE, null), girl).levels())
                .containsEntry("gender", "AGREE");
        assertThat(Scoring.compare(line(ID, BIRTH, null, "M", null, VILLAGE, null), girl).levels())
                .containsEntry("gender", "DIFFERENT");
    }

    @Test
    void aVillageAgreesFullyOrByTownship() {
        PersonRef p = person(ID, BIRTH, Gender.M, VILLAGE, null);
        assertThat(Scoring.compare(line(null, BIRTH, null, null, null, "421182101202", null), p).levels())
                .containsEntry("village", "TOWNSHIP");
        assertThat(Scoring.compare(line(null, BIRTH, null, null, null, "421182102201", null), p).levels())
                .containsEntry("village", "DIFFERENT");
        assertThat(Scoring.compare(line(null, BIRTH, null, null, null, VILLAGE, "H2"),
                person(ID, BIRTH, Gender.M, VILLAGE, "H1")).levels()).containsEntry("household", "DIFFERENT");
    }

    @Test
    void anIdNearMissIsNearAndAnExcelDamagedNumberSaysNothing() {
        PersonRef p = person(ID, BIRTH, Gender.M, VILLAGE, null);
        var near = Scoring.compare(line("421182201503040113", BIRTH, null, null, null, VILLAGE, null), p);
        assertThat(near.levels()).containsEntry("id", "NEAR");
        assertThat(near.detail()).containsEntry("id", "ONE_DIGIT");
        var other = Scoring.compare(line("421182199001010013", BIRTH, null, null, null, VILLAGE, null), p);
        assertThat(other.levels()).containsEntry("id", "DIFFERENT");
        var damaged = Scoring.compare(line("4.21182E+17", BIRTH, null, null, null, VILLAGE, null), p);
        assertThat(damaged.levels()).doesNotContainKey("id");
        assertThat(damaged.detail()).containsEntry("id", "EXCEL_DAMAGED");
        // a partial number is no ID to compare
        assertThat(Scoring.compare(line("4211822015", BIRTH, null, null, null, VILLAGE, null), p).levels())
                .doesNotContainKey("id");
    }

    @Test
    void theScoreIsTheSumOfTheFieldsWeightsAndTheEvidenceSaysEachOne() {
        PersonRef p = person(ID, BIRTH, Gender.M, VILLAGE, null);
        var s = Scoring.score(line(null, BIRTH, null, "M", null, VILLAGE, null), p);
        MatchWeights w = MatchWeights.DEFAULT;
        double expected = w.weight("name", "EXACT") + w.weight("birth", "EXACT") + w.weight("gender", "AGREE")
                + w.weight("village", "SAME");
        assertThat(s.weight()).isEqualTo(expected);
        assertThat(s.person()).isSameAs(p);
        assertThat(s.evidence()).startsWith("name=EXACT:+").contains(";birth=EXACT:+").contains(";gender=AGREE:+")
                .contains(";village=SAME:+");
        var parsed = Scoring.parseEvidence(s.evidence());
        assertThat(parsed).extracting(Linkage.Evidence::field).containsExactly("name", "birth", "gender", "village");
        assertThat(parsed.stream().mapToDouble(Linkage.Evidence::weight).sum()).isCloseTo(expected,
                org.assertj.core.data.Offset.offset(0.2));
    }

    @Test
    void evidenceIsReadBackFieldByField() {
        assertThat(Scoring.parseEvidence("id=EXACT:+99;conflict=OTHER_LINE:+0.0;junk;x=:1")).containsExactly(
                new Linkage.Evidence("id", "EXACT", 99), new Linkage.Evidence("conflict", "OTHER_LINE", 0),
                new Linkage.Evidence("x", "", 1));
        assertThat(Scoring.parseEvidence("second=AMBIGUOUS:-3.5")).containsExactly(
                new Linkage.Evidence("second", "AMBIGUOUS", -3.5));
        assertThat(Scoring.parseEvidence(null)).isEmpty();
        assertThat(Scoring.parseEvidence("=X:1")).isEmpty();
    }
}
