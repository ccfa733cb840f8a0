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
}
