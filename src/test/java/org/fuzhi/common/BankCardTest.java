package org.fuzhi.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BankCardTest {

    @Test
    void theLuhnDigitCatchesAMistypedDigitAndASwap() {
        String card = "6217002870001234567";
        // a valid number: compute the check digit for the first 18 digits
        String body = card.substring(0, 18);
        String valid = null;
        for (int d = 0; d <= 9; d++) {
            if (BankCard.luhnValid(body + d)) {
                valid = body + d;
            }
        }
        assertThat(valid).isNotNull();
        assertThat(BankCard.luhnValid("4539578763621486")).isTrue();   // a textbook test number
        assertThat(BankCard.luhnValid("4539578763621487")).isFalse();  // last digit mistyped
        assertThat(BankCard.luhnValid("4539578763612486")).isFalse();  // two neighbours swapped
        String swapped = valid.substring(0, 5) + valid.charAt(6) + valid.charAt(5) + valid.substring(7);
        if (valid.charAt(5) != valid.charAt(6)) {
            assertThat(BankCard.luhnValid(swapped)).isFalse();
        }
    }

    @Test
    void normalisesTypedNumbersAndMasksThem() {
        assertThat(BankCard.normalise("6217 0028 7000 1234 567")).isEqualTo("6217002870001234567");
        assertThat(BankCard.normalise("6217-0028")).isNull();
        assertThat(BankCard.normalise("62170028700012345O7")).isNull();
        assertThat(BankCard.mask("6217002870001234567")).isEqualTo("6217 **** **** 4567");
    }
}
