package org.fuzhi.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LongSetTest {

    @Test
    void findsDuplicatesAcrossGrowth() {
        LongSet set = new LongSet();
        for (long i = 0; i < 100_000; i++) {
            assertThat(set.add(i * 7919)).isTrue();
        }
        assertThat(set.add(7919 * 500)).isFalse();
    }

    @Test
    void keysAreDistinctWithinTheirKind() {
        assertThat(LongSet.key("11010519491231002X")).isNotEqualTo(LongSet.key("110105194912310020"));
        Set<Long> keys = new HashSet<>();
        keys.add(LongSet.studentNoKey("G11010519491231002X"));
        keys.add(LongSet.studentNoKey("G110105194912310020"));
        keys.add(LongSet.studentNoKey("J11010519491231002X"));
        keys.add(LongSet.studentNoKey("L99999999999999999X"));
        assertThat(keys).hasSize(4);
        assertThat(LongSet.studentNoKey("L99999999999999999X")).isPositive();
    }
}
