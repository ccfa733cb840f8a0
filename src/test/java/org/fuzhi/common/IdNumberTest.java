package org.fuzhi.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class IdNumberTest {

    @Test
    void computesTheGb11643CheckCharacter() {
        // 11010519491231002X is the standard's own worked example.
        assertThat(IdNumber.checkChar("11010519491231002")).isEqualTo('X');
        assertThat(IdNumber.parse("11010519491231002X").valid()).isTrue();
        assertThat(IdNumber.parse("110105194912310021").problem()).isEqualTo(IdNumber.Problem.CHECK_DIGIT);
    }

    @Test
    void normalisesLowerCaseFullWidthAndSpaces() {
        assertThat(IdNumber.parse("11010519491231002x").id().value()).isEqualTo("11010519491231002X");
        assertThat(IdNumber.parse("１１０１０５１９４９１２３１００２Ｘ").id().value()).isEqualTo("11010519491231002X");
        assertThat(IdNumber.parse(" 110105 19491231 002X ").id().value()).isEqualTo("11010519491231002X");
    }

    @Test
    void convertsLegacyFifteenDigitNumbers() {
        // 15-digit: YYMMDD, no check digit; the 18-digit form inserts 19 and computes one.
        var parsed = IdNumber.parse("110105491231002");
        assertThat(parsed.valid()).isTrue();
        assertThat(parsed.id().value()).isEqualTo("11010519491231002X");
    }

    @Test
    void reducesTwentyDigitDisabilityCardNumbersToTheId() {
        assertThat(IdNumber.parse("11010519491231002X14").id().value()).isEqualTo("11010519491231002X");
    }

    @Test
    void rejectsImpossibleBirthDatesAndBadCharacters() {
        assertThat(IdNumber.parse("110105194902301234").problem()).isEqualTo(IdNumber.Problem.BIRTH_DATE);
        assertThat(IdNumber.parse("11010519491231A02X").problem()).isEqualTo(IdNumber.Problem.CHARACTERS);
        assertThat(IdNumber.parse("1101051949").problem()).isEqualTo(IdNumber.Problem.LENGTH);
        assertThat(IdNumber.parse("").problem()).isEqualTo(IdNumber.Problem.EMPTY);
        assertThatThrownBy(() -> new IdNumber("110105194912310021")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void derivesBirthDateAndGender() {
        IdNumber id = IdNumber.parse("11010519491231002X").id();
        assertThat(id.birthDate()).isEqualTo(LocalDate.of(1949, 12, 31));
        assertThat(id.gender()).isEqualTo(Gender.F); // sequence 002: even
        String male = "42118220150304001";
        assertThat(IdNumber.parse(male + IdNumber.checkChar(male)).id().gender()).isEqualTo(Gender.M);
    }

    @Test
    void neverPrintsTheFullNumber() {
        IdNumber id = IdNumber.parse("11010519491231002X").id();
        assertThat(id.toString()).isEqualTo("1101**********002X");
    }
}
