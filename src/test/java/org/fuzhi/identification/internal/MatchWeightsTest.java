package org.fuzhi.identification.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MatchWeightsTest {

    /** Draws pairs from known m/u values: 5% matches; names agree in 90% of matches and 1% of non-matches. */
    private static MatchWeights.Patterns simulate(int pairs, long seed) {
        Random r = new Random(seed);
        MatchWeights.Patterns p = new MatchWeights.Patterns();
        for (int i = 0; i < pairs; i++) {
            boolean match = r.nextDouble() < 0.05;
            Map<String, String> levels = new LinkedHashMap<>();
            levels.put("name", r.nextDouble() < (match ? 0.9 : 0.01) ? "EXACT" : "DIFFERENT");
            levels.put("birth", r.nextDouble() < (match ? 0.95 : 0.3) ? "EXACT" : "VARIANT");
            levels.put("gender", r.nextDouble() < (match ? 0.99 : 0.5) ? "AGREE" : "DIFFERENT");
            levels.put("village", r.nextDouble() < (match ? 0.9 : 0.05) ? "SAME" : "DIFFERENT");
            p.add(levels);
        }
        return p;
    }

    @Test
    void emRecoversTheMatchShareAndTheMUValuesOfSimulatedPairs() {
        MatchWeights w = MatchWeights.estimate(simulate(200_000, 7));
        assertThat(w.source()).isEqualTo("ESTIMATED");
        assertThat(w.matchShare()).isCloseTo(0.05, within(0.005));
        assertThat(w.mu().get("name").get("EXACT")[0]).isCloseTo(0.9, within(0.02));
        assertThat(w.mu().get("name").get("EXACT")[1]).isCloseTo(0.01, within(0.003));
        assertThat(w.mu().get("village").get("SAME")[1]).isCloseTo(0.05, within(0.01));
        assertThat(w.weight("name", "EXACT")).isGreaterThan(5);
        assertThat(w.weight("name", "DIFFERENT")).isLessThan(-2);
    }

    @Test
    void tooFewPairsKeepTheDefaults() {
        MatchWeights w = MatchWeights.estimate(simulate(MatchWeights.MIN_PAIRS - 1, 3));
        assertThat(w).isSameAs(MatchWeights.DEFAULT);
        assertThat(w.weight("name", "EXACT")).isCloseTo(Math.log(0.82 / 0.002) / Math.log(2), within(1e-9));
    }

    @Test
    void pairsThatCannotBeSeparatedKeepTheDefaults() {
        // Every pair agrees on everything: no way to tell matches from non-matches.
        MatchWeights.Patterns p = new MatchWeights.Patterns();
        for (int i = 0; i < 1000; i++) {
            p.add(Map.of("name", "DIFFERENT", "birth", "VARIANT", "gender", "DIFFERENT", "village", "DIFFERENT"));
        }
        assertThat(MatchWeights.estimate(p).source()).isEqualTo("DEFAULT");
    }
}
