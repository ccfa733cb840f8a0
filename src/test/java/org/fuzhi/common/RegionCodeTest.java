package org.fuzhi.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegionCodeTest {

    @Test
    void derivesLevelPrefixAndParentFromTheCode() {
        RegionCode village = new RegionCode("421182101201");
        assertThat(village.level()).isEqualTo(RegionCode.Level.VILLAGE);
        assertThat(village.parentCode()).isEqualTo("421182101000");
        RegionCode county = new RegionCode("421182000000");
        assertThat(county.level()).isEqualTo(RegionCode.Level.COUNTY);
        assertThat(county.prefix()).isEqualTo("421182");
        assertThat(county.contains("421182101201")).isTrue();
        assertThat(county.contains("421181101201")).isFalse();
        assertThat(new RegionCode("420000000000").parentCode()).isNull();
    }
}
