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

    private static String valid(String first17) {
        return first17 + IdNumber.checkChar(first17);
    }

    @Test
    void aBirthYearBefore1900OrADateInTheFutureIsNoBirthDate() {
        assertThat(IdNumber.parse(valid("11010518991231002")).problem()).isEqualTo(IdNumber.Problem.BIRTH_DATE);
        assertThat(IdNumber.parse(valid("11010519000101002")).valid()).isTrue();
        String tomorrowPlusOne = LocalDate.now().plusDays(2).toString().replace("-", "");
        assertThat(IdNumber.parse(valid("110105" + tomorrowPlusOne + "002")).problem())
                .isEqualTo(IdNumber.Problem.BIRTH_DATE);
        String today = LocalDate.now().toString().replace("-", "");
        assertThat(IdNumber.parse(valid("110105" + today + "002")).valid()).isTrue();
        // a letter anywhere but the last place, or a last place that is neither a digit nor X
        assertThat(IdNumber.parse("1101051949123100A2").problem()).isEqualTo(IdNumber.Problem.CHARACTERS);
        assertThat(IdNumber.parse("11010519491231002Y").problem()).isEqualTo(IdNumber.Problem.CHARACTERS);
        assertThat(IdNumber.parse("11010549123100A").problem()).isEqualTo(IdNumber.Problem.CHARACTERS);
        assertThat(IdNumber.parse(null).problem()).isEqualTo(IdNumber.Problem.EMPTY);
        assertThat(IdNumber.tryParse("11010519491231002X")).isPresent();
        assertThat(IdNumber.tryParse("110105194912310021")).isEmpty();
    }

    @Test
    void theSeventeenthDigitGivesTheGender() {
        for (int d = 0; d <= 9; d++) {
            String id = valid("4211822015030400" + d);
            assertThat(IdNumber.parse(id).id().gender()).isEqualTo(d % 2 == 1 ? Gender.M : Gender.F);
        }
    }

    @Test
    void excelDamageIsRecognisedAndAValidNumberIsNot() {
        assertThat(IdNumber.excelDamaged("4.21182E+17")).isTrue();
        assertThat(IdNumber.excelDamaged(" 4.2118220150304E17 ")).isTrue();
        assertThat(IdNumber.excelDamaged("4E+17")).isTrue();
        assertThat(IdNumber.excelDamaged("421182201503040000")).isTrue();
        assertThat(IdNumber.excelDamaged(null)).isFalse();
        assertThat(IdNumber.excelDamaged("42118220150304001X")).isFalse();
        // a real number that happens to end in 000 is not damage
        String endsInZeros = "42118220150304000";
        if (IdNumber.checkChar(endsInZeros) == '0') {
            assertThat(IdNumber.excelDamaged(endsInZeros + "0")).isFalse();
        }
        assertThat(IdNumber.excelDamaged("42118220150304000")).as("17 characters").isFalse();
        assertThat(IdNumber.excelDamaged("4211822015030400A0")).isFalse();
    }

    @Test
    void aMistypedNumberStillGivesTheBirthDateInItsDigits() {
        assertThat(IdNumber.birthDateIn("421182201503040019")).isEqualTo(LocalDate.of(2015, 3, 4));
        assertThat(IdNumber.birthDateIn("4211822015-0304")).isEqualTo(LocalDate.of(2015, 3, 4));
        assertThat(IdNumber.birthDateIn("421182150304001")).isEqualTo(LocalDate.of(1915, 3, 4));
        assertThat(IdNumber.birthDateIn("4211822015030")).isNull();
        assertThat(IdNumber.birthDateIn("421182201513040019")).isNull();
        assertThat(IdNumber.birthDateIn("421182189912310019")).isNull();
        assertThat(IdNumber.birthDateIn("421182190001010019")).isEqualTo(LocalDate.of(1900, 1, 1));
        assertThat(IdNumber.birthDateIn("421182210503040019")).isNull();
    }
}
