package org.fuzhi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A scope and the SQL it becomes, on the two demo counties (武穴市 421182, 黄梅县 421127). */
class ScopeTest {

    static final Scope WUXUE = Scope.region("421182000000");
    static final Scope HUANGMEI = Scope.region("421127000000");
    static final Scope TOWNSHIP = Scope.region("421182101000");
    static final Scope VILLAGE = Scope.region("421182101201");
    static final Scope CITY = Scope.region("421100000000");

    @Test
    void aRegionHoldsEverythingBelowItAndNothingBeside() {
        assertThat(WUXUE.containsRegion("421182101201")).isTrue();
        assertThat(WUXUE.containsRegion("421182000000")).isTrue();
        assertThat(WUXUE.containsRegion("421127101201")).isFalse();
        assertThat(HUANGMEI.containsRegion("421182101201")).isFalse();
        assertThat(TOWNSHIP.containsRegion("421182101201")).isTrue();
        assertThat(TOWNSHIP.containsRegion("421182102201")).isFalse();
        assertThat(VILLAGE.containsRegion("421182101202")).isFalse();
        // a township does not hold its county
        assertThat(TOWNSHIP.containsRegion("421182000000")).isFalse();
        assertThat(CITY.containsRegion("421127101201")).isTrue();
        assertThat(WUXUE.containsRegion(null)).isFalse();
    }

    @Test
    void aSchoolOrNoScopeHoldsNoRegion() {
        assertThat(Scope.school("4211820001").containsRegion("421182101201")).isFalse();
        assertThat(Scope.NONE.containsRegion("421182101201")).isFalse();
        assertThat(Scope.school("4211820001").regionPrefix()).isNull();
        assertThat(Scope.NONE.regionPrefix()).isNull();
    }

    @Test
    void aRegionIsARangeOfTwelveDigitCodes() {
        assertThat(WUXUE.lowestRegion()).isEqualTo("421182000000");
        assertThat(WUXUE.highestRegion()).isEqualTo("421182999999");
        assertThat(TOWNSHIP.lowestRegion()).isEqualTo("421182101000");
        assertThat(TOWNSHIP.highestRegion()).isEqualTo("421182101999");
        assertThat(VILLAGE.lowestRegion()).isEqualTo("421182101201");
        assertThat(VILLAGE.highestRegion()).isEqualTo("421182101201");
        assertThat(CITY.lowestRegion()).isEqualTo("421100000000");
        assertThat(CITY.highestRegion()).isEqualTo("421199999999");
    }

    @Test
    void byResidenceKeepsTheAreaAndNarrowsChildrenOnly() {
        Scope r = TOWNSHIP.byResidence();
        assertThat(r.residenceOnly()).isTrue();
        assertThat(r.code()).isEqualTo(TOWNSHIP.code());
        assertThat(r.type()).isEqualTo(Scope.Type.REGION);
        assertThat(TOWNSHIP.residenceOnly()).isFalse();
    }

    @Test
    void aRegionScopeBecomesARangeOverEachColumn() {
        ScopeFilter f = ScopeFilter.of(HUANGMEI, "s.code", "s.region_code", "h.region_code");
        assertThat(f.sql()).isEqualTo("(s.region_code BETWEEN :scopeLow AND :scopeHigh OR h.region_code BETWEEN "
                + ":scopeLow AND :scopeHigh)");
        assertThat(f.params()).isEqualTo(Map.of("scopeLow", "421127000000", "scopeHigh", "421127999999"));
        assertThat(ScopeFilter.of(WUXUE, "x").sql()).as("no region column: nothing").isEqualTo("1=0");
    }

    @Test
    void aSchoolScopeSeesItsSchoolOnlyWhereThereIsASchoolColumn() {
        ScopeFilter f = ScopeFilter.of(Scope.school("4211820001"), "s.code", "s.region_code");
        assertThat(f.sql()).isEqualTo("s.code = :scopeSchool");
        assertThat(f.params()).isEqualTo(Map.of("scopeSchool", "4211820001"));
        assertThat(ScopeFilter.of(Scope.school("4211820001"), null, "s.region_code").sql()).isEqualTo("1=0");
        assertThat(ScopeFilter.of(Scope.NONE, "s.code", "s.region_code").sql()).isEqualTo("1=0");
        assertThat(ScopeFilter.of(Scope.NONE, "s.code", "s.region_code").params()).isEmpty();
    }

    @Test
    void villageAndTownshipCadresSeeTheChildrenWhoLiveThereNotThePupilsOfItsSchools() {
        ScopeFilter center = ScopeFilter.children(WUXUE, "x.school", "x.school_region", "x.village");
        assertThat(center.sql()).contains("x.school_region BETWEEN").contains("x.village BETWEEN");
        ScopeFilter cadre = ScopeFilter.children(TOWNSHIP.byResidence(), "x.school", "x.school_region", "x.village");
        assertThat(cadre.sql()).isEqualTo("(x.village BETWEEN :scopeLow AND :scopeHigh)");
        assertThat(cadre.params()).isEqualTo(Map.of("scopeLow", "421182101000", "scopeHigh", "421182101999"));
    }

    @Test
    void aScopeReadsAsItsKindAndCode() {
        assertThat(WUXUE.toString()).isEqualTo("REGION:421182000000");
        assertThat(Scope.school("4211820001").toString()).isEqualTo("SCHOOL:4211820001");
        assertThat(Scope.NONE.toString()).isEqualTo("NONE");
    }
}
