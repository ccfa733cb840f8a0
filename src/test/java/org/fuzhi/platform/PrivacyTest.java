package org.fuzhi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import org.fuzhi.common.IdNumber;
import org.fuzhi.platform.Privacy.SearchKind;
import org.junit.jupiter.api.Test;

/** One privacy policy: who sees names, and what each role's search box may look for. */
class PrivacyTest {

    private static final String ID = "42118220150301123" + IdNumber.checkChar("42118220150301123");

    @Test
    void namesAndBirthDatesAreForThoseWhoWorkWithTheChild() {
        for (Role r : new Role[]{Role.CENTER, Role.SCHOOL_OPERATOR, Role.SCHOOL_REVIEWER, Role.VILLAGE, Role.TOWNSHIP}) {
            assertThat(new Privacy(r).name("潘子涵")).as(r.name()).isEqualTo("潘子涵");
        }
        for (Role r : new Role[]{Role.LEADER, Role.EVALUATOR, Role.DONOR, Role.ADMIN}) {
            assertThat(new Privacy(r).name("潘子涵")).as(r.name()).isEqualTo("潘*涵");
            assertThat(new Privacy(r).birthDate(LocalDate.of(2015, 3, 1))).isNull();
        }
    }

    @Test
    void aFullIdSearchIsForRolesThatMayUnmaskAndEveryFormOfItCounts() {
        String fullWidth = ID.chars().mapToObj(c -> String.valueOf(Character.isDigit(c) ? (char) (c - '0' + '０') : (char) c))
                .reduce("", String::concat);
        for (String typed : new String[]{ID, fullWidth, ID.substring(0, 6) + " " + ID.substring(6, 14) + " "
                + ID.substring(14).toLowerCase(), "G" + ID}) {
            assertThat(new Privacy(Role.EVALUATOR).search(typed).kind()).as(typed).isEqualTo(SearchKind.REFUSED);
            assertThat(new Privacy(Role.VILLAGE).search(typed).kind()).as(typed).isEqualTo(SearchKind.REFUSED);
            assertThat(new Privacy(Role.EVALUATOR).search(typed).audited()).isTrue();
            assertThat(new Privacy(Role.CENTER).search(typed).kind()).as(typed)
                    .isIn(SearchKind.ID_NUMBER, SearchKind.STUDENT_NO);
            assertThat(new Privacy(Role.CENTER).search(typed).audited()).isTrue();
        }
        assertThat(new Privacy(Role.CENTER).search(ID).value()).isEqualTo(ID);
    }

    @Test
    void maskedRolesSearchByTheMaskedFormsTheyAreShownAndByClass() {
        Privacy evaluator = new Privacy(Role.LEADER);
        var name = evaluator.search("潘*涵");
        assertThat(name.kind()).isEqualTo(SearchKind.MASKED_NAME);
        assertThat(name.first()).isEqualTo("潘");
        assertThat(name.last()).isEqualTo("涵");
        assertThat(name.length()).isEqualTo(3);
        var id = evaluator.search("4211**********123X");
        assertThat(evaluator.search("4211**********123X").audited()).isFalse();
        assertThat(id.kind()).isEqualTo(SearchKind.MASKED_ID);
        assertThat(id.first()).isEqualTo("4211");
        assertThat(id.last()).isEqualTo("123X");
        assertThat(evaluator.search("3(2)班").kind()).isEqualTo(SearchKind.CLASS);
        assertThat(evaluator.search("潘子涵").kind()).isEqualTo(SearchKind.REFUSED);
        assertThat(evaluator.search("潘").kind()).isEqualTo(SearchKind.REFUSED);
        assertThat(new Privacy(Role.VILLAGE).search("潘子").kind()).isEqualTo(SearchKind.NAME);
        assertThat(evaluator.search("  ").kind()).isEqualTo(SearchKind.NONE);
    }

    @Test
    void userTypedWildcardsAreLiteral() {
        assertThat(Privacy.literalLike("50%_a\\")).isEqualTo("50\\%\\_a\\\\");
    }
}
