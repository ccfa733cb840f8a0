package org.fuzhi.identification.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.fuzhi.common.Gender;
import org.fuzhi.common.IdNumber;
import org.fuzhi.identification.internal.NameMatcher.Agreement;
import org.fuzhi.platform.Sealed;
import org.fuzhi.registry.Registry;
import org.fuzhi.registry.Registry.PersonRef;
import org.junit.jupiter.api.Test;

/** The comparisons and rules of record linkage on a real roster (issue 10), one by one. */
class LinkageRulesTest {

    private static final String CHILD_ID = "421182201503040013";
    private static final String PARENT_ID = "421182198001010012";
    private static final LocalDate CHILD_BIRTH = LocalDate.of(2015, 3, 4);

    private static Linker.Member line(String name, String raw, LocalDate stated, String statedGender, String household) {
        var parsed = IdNumber.parse(raw);
        LocalDate birth = parsed.valid() ? parsed.id().birthDate() : raw == null ? null : IdNumber.birthDateIn(raw);
        return new Linker.Member(1, name, Sealed.clear(raw), null, parsed.valid() ? parsed.id().gender().name() : null,
                birth != null ? birth : stated, "421182101201", household, "LIFTED", stated, statedGender);
    }

    private static PersonRef person(long id, String name, String idNumber, LocalDate birth, Gender gender) {
        return new PersonRef(id, Sealed.clear(idNumber), name, gender, birth, "421182101201", null, null, null);
    }

    @Test
    void namesCompareAsPeopleReadThem() {
        assertThat(NameMatcher.compare("王小明", "王小明")).isEqualTo(Agreement.EXACT);
        assertThat(NameMatcher.compare("王小明", "王小铭")).isEqualTo(Agreement.HOMOPHONE);
        assertThat(NameMatcher.compare("張國華", "张国华")).isEqualTo(Agreement.VARIANT_CHAR);
        assertThat(NameMatcher.compare("王己红", "王已红")).isEqualTo(Agreement.VARIANT_CHAR);
        assertThat(NameMatcher.compare("王小明", "王明")).isEqualTo(Agreement.DROPPED);
        assertThat(NameMatcher.compare("王小明", "王小小明")).isEqualTo(Agreement.DROPPED);
        assertThat(NameMatcher.compare("王小明", "王明小")).isEqualTo(Agreement.GIVEN_SWAPPED);
        assertThat(NameMatcher.compare("王小明", "王大明")).isEqualTo(Agreement.SIMILAR);
        // A different surname is not "one character different": it is another family.
        assertThat(NameMatcher.compare("王小明", "李小明")).isEqualTo(Agreement.SURNAME_DIFFERENT);
        assertThat(NameMatcher.compare("王小明", "王建国")).isEqualTo(Agreement.DIFFERENT);
        // The weights follow: another surname weighs heavily against, a dropped character for.
        assertThat(MatchWeights.DEFAULT.weight("name", "SURNAME_DIFFERENT")).isLessThan(-8);
        assertThat(MatchWeights.DEFAULT.weight("name", "DROPPED")).isGreaterThan(3);
    }

    @Test
    void theLetterOAndExcelDamageAreRecognised() {
        assertThat(IdNumber.parse("4211822O15O304OO13").id()).isNotNull().extracting(IdNumber::value).isEqualTo(CHILD_ID);
        assertThat(Scoring.idDigits("42118220150304OO13")).isEqualTo(CHILD_ID);
        assertThat(IdNumber.excelDamaged("4.21182E+17")).isTrue();
        assertThat(IdNumber.excelDamaged("421182201503040000")).isTrue();
        assertThat(IdNumber.excelDamaged(CHILD_ID)).isFalse();
        assertThat(IdNumber.excelDamaged("无")).isFalse();
        // A damaged number is left out of the comparison (not counted as a different ID), and says why.
        var c = Scoring.compare(line("王小明", "4.21182E+17", CHILD_BIRTH, "M", "H1"),
                person(7, "王小明", CHILD_ID, CHILD_BIRTH, Gender.M));
        assertThat(c.levels()).doesNotContainKey("id");
        assertThat(c.detail()).containsEntry("id", "EXCEL_DAMAGED");
    }

    @Test
    void theRostersOwnBirthDateAndGenderColumnsAreCompared() {
        // The ID's digits carry a typo in the date; the roster's column is right: the dates of both are used.
        var m = line("王小明", "421182201503400019", CHILD_BIRTH, "M", "H1");
        assertThat(Scoring.blockingDates(m)).contains(CHILD_BIRTH);
        assertThat(Scoring.birthAgreement(m, CHILD_BIRTH)).isEqualTo("EXACT");
        assertThat(Scoring.birthAgreement(line("王小明", "", CHILD_BIRTH.plusDays(2), null, "H1"), CHILD_BIRTH))
                .isEqualTo("VARIANT");
        assertThat(Scoring.birthAgreement(line("王小明", "", LocalDate.of(1978, 5, 1), null, "H1"), CHILD_BIRTH))
                .isEqualTo("FAR");
        assertThat(Scoring.birthAgreement(line("王小明", "", null, null, "H1"), CHILD_BIRTH)).isNull();
        assertThat(RosterImport.dateOf("2015/3/4")).isEqualTo(CHILD_BIRTH);
        assertThat(RosterImport.dateOf("2015年3月4日")).isEqualTo(CHILD_BIRTH);
        assertThat(RosterImport.dateOf("20150304")).isEqualTo(CHILD_BIRTH);
        assertThat(RosterImport.dateOf("2015.03.04")).isEqualTo(CHILD_BIRTH);
        assertThat(RosterImport.dateOf("2015-02-30")).isNull();
        var gender = Scoring.compare(line("王小明", PARENT_ID, CHILD_BIRTH, "F", "H1"),
                person(7, "王小明", CHILD_ID, CHILD_BIRTH, Gender.M));
        assertThat(gender.levels()).containsEntry("gender", "DIFFERENT");
    }

    @Test
    void anExactIdIsCheckedAgainstThePersonWhoHoldsIt() {
        var head = new Registry.IdOwner(1, "王建国", Gender.M, LocalDate.of(1980, 1, 1), "H1");
        // A child's line carrying the household head's number: the relative's ID, said as such.
        assertThat(LinkDecisions.contradiction(line("王小明", PARENT_ID, CHILD_BIRTH, "M", "H1"), head)).isEqualTo("RELATIVE_ID");
        assertThat(LinkDecisions.contradiction(line("李小红", PARENT_ID, CHILD_BIRTH, "F", "H9"), head)).isEqualTo("NAME_MISMATCH");
        assertThat(LinkDecisions.contradiction(line("王建国", PARENT_ID, LocalDate.of(2001, 6, 1), "M", "H1"), head))
                .isEqualTo("BIRTH_MISMATCH");
        // Known noise is no contradiction: a homophone, a wrong gender column, a mistyped day.
        assertThat(LinkDecisions.contradiction(line("王建囯", PARENT_ID, LocalDate.of(1980, 1, 2), "F", "H1"), head)).isNull();
        assertThat(LinkDecisions.contradiction(line("王健国", PARENT_ID, null, null, "H1"), head)).isNull();
    }

    private static Linker linker() {
        return new Linker(null, null, null, null, null, null, null, null, 10, 3);
    }

    @Test
    void aNamesakeOfAnotherGenerationIsNeverLinkedAutomatically() {
        // Same name and village as a child, born 40 years earlier, with an ID of their own.
        var grandfather = line("王小明", "421182197503040014", LocalDate.of(1975, 3, 4), "M", "H1");
        var child = person(7, "王小明", CHILD_ID, CHILD_BIRTH, Gender.M);
        var links = linker().decide(List.of(grandfather), Map.of(grandfather, List.of(child)), MatchWeights.DEFAULT);
        assertThat(links).singleElement().satisfies(l -> assertThat(l.status()).isNotEqualTo("LINKED"));
        // Even where one roster's EM made "far apart" look common among matches, it never counts for a link.
        assertThat(MatchWeights.DEFAULT.weight("birth", "FAR")).isLessThan(-6);
    }

    @Test
    void theHouseholdNumberIsCompared() {
        // A line without a usable ID and with a misheard name: the household number is what tells the child of
        // this family from a child of the same name sound born the same day elsewhere in the village.
        var m = line("王小铭", "无", CHILD_BIRTH, "M", "H1");
        var home = new PersonRef(7, Sealed.clear(CHILD_ID), "王小明", Gender.M, CHILD_BIRTH, "421182101201", null,
                null, "H1");
        var elsewhere = new PersonRef(8, Sealed.clear("421182201503040030"), "王晓明", Gender.M, CHILD_BIRTH,
                "421182101201", null, null, "H2");
        assertThat(Scoring.compare(m, home).levels()).containsEntry("household", "SAME_HOUSEHOLD");
        assertThat(Scoring.compare(m, elsewhere).levels()).containsEntry("household", "DIFFERENT");
        assertThat(Scoring.compare(m, person(9, "王小明", CHILD_ID, CHILD_BIRTH, Gender.M)).levels())
                .doesNotContainKey("household");
        assertThat(MatchWeights.DEFAULT.weight("household", "SAME_HOUSEHOLD")).isGreaterThan(5);
        assertThat(MatchWeights.DEFAULT.weight("household", "DIFFERENT")).isLessThan(-2);
        var links = linker().decide(List.of(m), Map.of(m, List.of(elsewhere, home)), MatchWeights.DEFAULT);
        assertThat(links).singleElement().satisfies(l -> {
            assertThat(l.status()).isEqualTo("LINKED");
            assertThat(l.personId()).isEqualTo(7L);
            assertThat(l.evidence()).contains("household=SAME_HOUSEHOLD");
        });
    }

    @Test
    void aLineWhoseExactIdIsARelativesIsNotLinkedToThatRelative() {
        var owner = person(1, "王建国", PARENT_ID, LocalDate.of(1980, 1, 1), Gender.M);
        var childPerson = person(2, "王小明", CHILD_ID, CHILD_BIRTH, Gender.M);
        var m = line("王小明", PARENT_ID, CHILD_BIRTH, "M", "H1").contradicting("RELATIVE_ID", 1);
        // Only the holder of the number as a candidate: reviewed, with the reason.
        var alone = linker().decide(List.of(m), Map.of(m, List.of(owner)), MatchWeights.DEFAULT);
        assertThat(alone).singleElement().satisfies(l -> {
            assertThat(l.status()).isEqualTo("REVIEW");
            assertThat(l.evidence()).startsWith("idcheck=RELATIVE_ID");
        });
        // The child found by name, birth date, gender and village may be linked, and the link says what it saw.
        var found = linker().decide(List.of(m), Map.of(m, List.of(owner, childPerson)), MatchWeights.DEFAULT);
        assertThat(found).singleElement().satisfies(l -> {
            assertThat(l.personId()).isEqualTo(2L);
            assertThat(l.evidence()).contains("idcheck=RELATIVE_ID");
        });
    }
}
