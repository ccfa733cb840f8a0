package org.fuzhi.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MaskingTest {

    @Test
    void masksIdNumbersKeepingFourAndFour() {
        assertThat(Masking.idNumber("42118220150304001X")).isEqualTo("4211**********001X");
    }

    @Test
    void masksNamesKeepingFirstAndLastCharacter() {
        assertThat(Masking.name("张三明")).isEqualTo("张*明");
        assertThat(Masking.name("张三")).isEqualTo("张*");
        assertThat(Masking.name("欧阳小明")).isEqualTo("欧**明");
        assertThat(Masking.name("张")).isEqualTo("张");
    }

    @Test
    void shortOrMissingValuesRevealNothing() {
        assertThat(Masking.idNumber(null)).isEmpty();
        assertThat(Masking.idNumber("")).isEmpty();
        assertThat(Masking.idNumber("12345678")).isEqualTo("********");
        assertThat(Masking.idNumber("123456789")).isEqualTo("1234*6789");
        assertThat(Masking.name(null)).isEmpty();
        assertThat(Masking.name("")).isEmpty();
        // a name outside the basic plane counts by characters, not by UTF-16 units
        assertThat(Masking.name("王\uD840\uDC00明")).isEqualTo("王*明");
    }

    @Test
    void aStudentNumberIsMaskedLikeTheIdNumberItEmbeds() {
        assertThat(Masking.studentNo("G42118220150304001X")).isEqualTo("G421***********001X");
    }

    @Test
    void idNumbersAreRedactedInWhateverFormTheyWereTyped() {
        assertThat(Masking.redactIdNumbers("查询 42118220150304001X 的档案")).isEqualTo("查询 4211**********001X 的档案");
        assertThat(Masking.redactIdNumbers("4211-8220-1503-0400-1x")).isEqualTo("4211**********001x");
        assertThat(Masking.redactIdNumbers("号码 ４２１１８２２０１５０３０４００１Ｘ")).isEqualTo("号码 4211**********001X");
        assertThat(Masking.redactIdNumbers("421182 20150304 001Ｘ")).isEqualTo("4211**********001X");
        assertThat(Masking.redactIdNumbers("421182\u300020150304001x")).isEqualTo("4211**********001x");
        // other numbers are left alone
        assertThat(Masking.redactIdNumbers("共 12345 名学生，电话 0713-1234567")).isEqualTo("共 12345 名学生，电话 0713-1234567");
        assertThat(Masking.redactIdNumbers(null)).isNull();
        assertThat(Masking.redactIdNumbers("")).isEmpty();
    }
}
