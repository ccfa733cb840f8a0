package org.fuzhi.aid.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.fuzhi.aid.Catalog;
import org.fuzhi.aid.Terms;
import org.fuzhi.common.Money;
import org.fuzhi.common.Stage;
import org.junit.jupiter.api.Test;

class EligibilityTest {

    private static Catalog.Item item(String code, Stage stage, Catalog.Boarding boarding, String sources, String amount,
                                     Map<String, BigDecimal> tiers, String group, List<String> notWith, int terms) {
        return new Catalog.Item(1, code, 1, true, 0, code, List.of(stage), Catalog.Kind.CASH, Catalog.NATIONAL,
                List.of(sources.split(",")), null, null, boarding, null, null, false, new BigDecimal(amount),
                tiers == null ? Map.of() : tiers, terms, group, notWith == null ? List.of() : notWith,
                LocalDate.of(2025, 1, 1), null, "t", null, null);
    }

    private static final Catalog.Item BOARDING = item("BOARDING_PRIMARY", Stage.PRIMARY, Catalog.Boarding.BOARDING,
            "ROSTER,HARDSHIP", "1000", null, "LIVING", null, 2);
    private static final Catalog.Item DAY = item("DAY_PRIMARY", Stage.PRIMARY, Catalog.Boarding.DAY, "ROSTER", "500",
            null, "LIVING", null, 2);
    private static final Catalog.Item GRANT = item("SENIOR_GRANT", Stage.SENIOR, Catalog.Boarding.ANY,
            "ROSTER,HARDSHIP", "2300", Map.of("特别困难", new BigDecimal("3000"), "困难", new BigDecimal("2300"),
                    "一般困难", new BigDecimal("1600")), null, null, 2);

    private static Eligibility.Child child(String source, String level, Stage stage, boolean boarding) {
        return new Eligibility.Child(source, level, "LIFTED", stage, 3, boarding, false);
    }

    @Test
    void aBoarderGetsTheBoardingAllowanceADayPupilOnTheRosterHalfAndARatedDayPupilNothing() {
        List<Catalog.Item> items = List.of(BOARDING, DAY, GRANT);
        assertThat(Eligibility.held(items, child("ROSTER", null, Stage.PRIMARY, true), Terms.Term.AUTUMN))
                .extracting(h -> h.item().code(), Eligibility.Held::amount)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("BOARDING_PRIMARY", Money.parse("500")));
        assertThat(Eligibility.held(items, child("ROSTER", null, Stage.PRIMARY, false), Terms.Term.SPRING))
                .extracting(h -> h.item().code(), Eligibility.Held::amount)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("DAY_PRIMARY", Money.parse("250")));
        assertThat(Eligibility.held(items, child("HARDSHIP", "困难", Stage.PRIMARY, false), Terms.Term.AUTUMN)).isEmpty();
    }

    @Test
    void tiersFollowTheLevelAndARosterChildWithoutOneGetsTheFloor() {
        List<Catalog.Item> items = List.of(GRANT);
        assertThat(Eligibility.held(items, child("HARDSHIP", "特别困难", Stage.SENIOR, false), Terms.Term.AUTUMN).get(0)
                .amount()).isEqualTo(Money.parse("1500"));
        assertThat(Eligibility.held(items, child("ROSTER", null, Stage.SENIOR, false), Terms.Term.AUTUMN).get(0)
                .amount()).isEqualTo(Money.parse("800"));
        // A rated child without a level is not in hardship: nothing.
        assertThat(Eligibility.held(items, child("HARDSHIP", null, Stage.SENIOR, false), Terms.Term.AUTUMN)).isEmpty();
    }

    @Test
    void atMostOneItemOfAGroupAndNeverTwoThatExcludeEachOther() {
        Catalog.Item second = item("BOARDING_LOCAL", Stage.PRIMARY, Catalog.Boarding.ANY, "ROSTER", "300", null,
                "LIVING", null, 2);
        Catalog.Item excludes = item("LOCAL_MEAL", Stage.PRIMARY, Catalog.Boarding.ANY, "ROSTER", "200", null, null,
                List.of("BOARDING_PRIMARY"), 2);
        Catalog.Item free = item("BUS", Stage.PRIMARY, Catalog.Boarding.ANY, "ROSTER", "600", null, null, null, 2);
        var held = Eligibility.held(List.of(BOARDING, second, excludes, free),
                child("ROSTER", null, Stage.PRIMARY, true), Terms.Term.AUTUMN);
        assertThat(held).extracting(h -> h.item().code()).containsExactly("BOARDING_PRIMARY", "BUS");
    }

    @Test
    void aCountysOwnItemPaysOnlyTheChildrenTaughtInThatCounty() {
        Catalog.Item bus = new Catalog.Item(9, "WX_SCHOOL_BUS", 1, true, 35, "校车", List.of(Stage.PRIMARY),
                Catalog.Kind.WAIVER, "421182000000", List.of("ROSTER"), null, null, Catalog.Boarding.ANY, null, null,
                true, new BigDecimal("600"), Map.of(), 2, null, List.of(), LocalDate.of(2025, 1, 1), null, "t", null,
                null);
        var wuxue = new Eligibility.Child("ROSTER", null, "LIFTED", Stage.PRIMARY, 3, false, false, "421182101201");
        var huangmei = new Eligibility.Child("ROSTER", null, "LIFTED", Stage.PRIMARY, 3, false, false, "421127100200");
        assertThat(Eligibility.held(List.of(bus), wuxue, Terms.Term.AUTUMN)).hasSize(1);
        assertThat(Eligibility.held(List.of(bus), huangmei, Terms.Term.AUTUMN)).isEmpty();
    }

    @Test
    void whatAChildAlreadyHoldsCountsFirstForGroupsAndExclusions() {
        // Allocated the boarding allowance, then recorded as a day pupil: the day allowance of the same group is
        // not added on re-generation; nor is an item that excludes one held in another county's term.
        Catalog.Item excludes = item("LOCAL_MEAL", Stage.PRIMARY, Catalog.Boarding.ANY, "ROSTER", "200", null, null,
                List.of("BOARDING_PRIMARY"), 2);
        var day = child("ROSTER", null, Stage.PRIMARY, false);
        assertThat(Eligibility.held(List.of(BOARDING, DAY, excludes), day, Terms.Term.AUTUMN, List.of(BOARDING)))
                .isEmpty();
        assertThat(Eligibility.held(List.of(BOARDING, DAY, excludes), day, Terms.Term.AUTUMN))
                .extracting(h -> h.item().code()).containsExactly("DAY_PRIMARY", "LOCAL_MEAL");
    }

    @Test
    void anItemPaidOnceAYearIsPaidInTheAutumnTermOnly() {
        Catalog.Item once = item("UNI_NEW_STUDENT", Stage.UNDERGRADUATE, Catalog.Boarding.ANY, "ROSTER", "1000", null,
                null, null, 1);
        assertThat(Eligibility.held(List.of(once), child("ROSTER", null, Stage.UNDERGRADUATE, false),
                Terms.Term.AUTUMN)).hasSize(1);
        assertThat(Eligibility.held(List.of(once), child("ROSTER", null, Stage.UNDERGRADUATE, false),
                Terms.Term.SPRING)).isEmpty();
        // 1250 a year in two terms: 625 + 625; 1000.01 would be 500.01 + 500.00 — the year always adds up.
        assertThat(Eligibility.termAmount(BOARDING, null, Terms.Term.AUTUMN)
                .plus(Eligibility.termAmount(BOARDING, null, Terms.Term.SPRING))).isEqualTo(Money.parse("1000"));
    }
}
