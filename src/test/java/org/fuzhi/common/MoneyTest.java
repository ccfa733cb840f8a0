package org.fuzhi.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MoneyTest {

    @Test
    void parsesDecimalAmountsToTheFenAndRefusesFractionsOfAFen() {
        assertThat(Money.parse("2300").fen()).isEqualTo(230000);
        assertThat(Money.parse("1150.5").fen()).isEqualTo(115050);
        assertThat(Money.parse("0.01").fen()).isEqualTo(1);
        assertThat(Money.parse("-3.20").fen()).isEqualTo(-320);
        assertThat(Money.parse("625.00").toString()).isEqualTo("625.00");
        for (String bad : new String[]{"1.005", "abc", "", "1e3", "12,000", "NaN", " . "}) {
            assertThatThrownBy(() -> Money.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aYearlyAmountSplitIntoTermsAddsUpToItByTheLargestRemainder() {
        assertThat(Money.parse("1250").splitEvenly(2)).containsExactly(Money.parse("625"), Money.parse("625"));
        // 0.01 does not halve: the first term takes the odd fen.
        assertThat(Money.parse("1000.01").splitEvenly(2)).containsExactly(Money.parse("500.01"), Money.parse("500.00"));
        assertThat(Money.parse("100").splitEvenly(3))
                .containsExactly(Money.parse("33.34"), Money.parse("33.33"), Money.parse("33.33"));
        // Proportional: 2:1 of 1.00 is 0.67 / 0.33 (remainders 0.666 and 0.333: the larger gets the fen).
        assertThat(Money.parse("1").split(2, 1)).containsExactly(Money.parse("0.67"), Money.parse("0.33"));
        assertThat(Money.parse("0.05").split(1, 1, 1, 1, 1, 1, 1))
                .containsExactly(new Money(1), new Money(1), new Money(1), new Money(1), new Money(1), Money.ZERO,
                        Money.ZERO);
    }

    @Test
    void partsAlwaysAddUpToTheWholeWhateverTheWeights() {
        Random random = new Random(20261202L);
        for (int run = 0; run < 5_000; run++) {
            long fen = random.nextLong(0, 100_000_000L) - (run % 10 == 0 ? 50_000_000L : 0);
            int n = 1 + random.nextInt(12);
            long[] w = new long[n];
            long total = 0;
            for (int i = 0; i < n; i++) {
                w[i] = random.nextInt(5) == 0 ? 0 : random.nextLong(1, 10_000);
                total += w[i];
            }
            if (total == 0) {
                w[0] = 1;
                total = 1;
            }
            List<Money> parts = new Money(fen).split(w);
            assertThat(parts.stream().mapToLong(Money::fen).sum()).as("run %d", run).isEqualTo(fen);
            for (int i = 0; i < n; i++) {
                // Each part is within one fen of its exact share fen·w/total (compared exactly, multiplied out).
                assertThat(Math.abs(parts.get(i).fen() * total - fen * w[i])).as("run %d part %d", run, i)
                        .isLessThanOrEqualTo(total);
            }
        }
    }
}
