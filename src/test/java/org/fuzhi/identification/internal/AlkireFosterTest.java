package org.fuzhi.identification.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fuzhi.identification.Assessment;
import org.fuzhi.identification.Assessment.Subject;
import org.fuzhi.identification.AssessmentModel;
import org.fuzhi.identification.AssessmentModel.Band;
import org.fuzhi.identification.AssessmentModel.Indicator;
import org.fuzhi.identification.AssessmentModel.Operator;
import org.fuzhi.identification.AssessmentResult;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed Alkire–Foster cases. Weights 2:1:1 normalise to 0.5/0.25/0.25; k = 0.5.
 * A (income only) 0.5 poor; B (school, health) 0.5 poor; C (all) 1.0 poor; D (school) 0.25 not poor.
 */
class AlkireFosterTest {

    private final AlkireFoster af = new AlkireFoster();

    private static final AssessmentModel MODEL = new AssessmentModel(0.5, List.of(
            new Indicator("income", "economy", 2, "income", Operator.LT, 4000),
            new Indicator("school", "schooling", 1, "schoolYears", Operator.LT, 6),
            new Indicator("health", "health", 1, "disabled", Operator.EQ, true)),
            List.of(new Band("特别困难", 0.75), new Band("困难", 0.5)));

    private static Subject s(String id, double weight, String group, int income, int school, boolean disabled) {
        return new Subject(id, weight, group, Map.of("income", income, "schoolYears", school, "disabled", disabled));
    }

    private static List<Subject> people(double weightOfD) {
        return List.of(s("A", 1, "X", 3000, 8, false), s("B", 1, "Y", 5000, 4, true),
                s("C", 1, "Y", 2000, 3, true), s("D", weightOfD, "X", 6000, 5, false));
    }

    @Test
    void scoresIdentifiesAndBandsEachRecord() {
        var r = af.evaluate(MODEL, people(1)).records();
        assertThat(r).extracting(AssessmentResult.RecordResult::score).containsExactly(0.5, 0.5, 1.0, 0.25);
        assertThat(r).extracting(AssessmentResult.RecordResult::poor).containsExactly(true, true, true, false);
        assertThat(r).extracting(AssessmentResult.RecordResult::level).containsExactly("困难", "困难", "特别困难", null);
        assertThat(r.get(1).deprived()).containsExactly("school", "health");
    }

    @Test
    void theStreamingScorerGivesTheSameResultsRecordByRecord() {
        var scorer = af.scorer(MODEL, Set.of("income", "schoolYears", "disabled"));
        var batch = af.evaluate(MODEL, people(1)).records();
        var people = people(1);
        for (int i = 0; i < people.size(); i++) {
            assertThat(scorer.score(people.get(i))).isEqualTo(batch.get(i));
        }
    }

    @Test
    void aggregatesFollowAlkireFoster() {
        var a = af.evaluate(MODEL, people(1)).aggregates();
        assertThat(a.n()).isEqualTo(4);
        assertThat(a.q()).isEqualTo(3);
        assertThat(a.H()).isCloseTo(0.75, within(1e-9));
        assertThat(a.A()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(a.M0()).isCloseTo(0.5, within(1e-9));
        assertThat(a.M0()).isCloseTo(a.H() * a.A(), within(1e-9));
        // D's deprivation in schooling is censored: D is not poor.
        assertThat(a.censoredHeadcount()).containsEntry("income", 0.5).containsEntry("school", 0.5)
                .containsEntry("health", 0.5);
        assertThat(a.contribution().get("income")).isCloseTo(50, within(1e-9));
        assertThat(a.contribution().get("school")).isCloseTo(25, within(1e-9));
        assertThat(a.contribution().get("health")).isCloseTo(25, within(1e-9));
    }

    @Test
    void recordWeightsCountPeople() {
        var a = af.evaluate(MODEL, people(3)).aggregates();
        assertThat(a.n()).isEqualTo(6);
        assertThat(a.q()).isEqualTo(3);
        assertThat(a.H()).isCloseTo(0.5, within(1e-9));
        assertThat(a.A()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(a.M0()).isCloseTo(1.0 / 3, within(1e-9));
        assertThat(a.censoredHeadcount().get("income")).isCloseTo(1.0 / 3, within(1e-9));
        assertThat(a.contribution().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(100, within(1e-9));
    }

    @Test
    void subgroupM0sCombineByPopulationShare() {
        var result = af.evaluate(MODEL, people(1));
        var x = result.byGroup().get("X");
        var y = result.byGroup().get("Y");
        assertThat(x.M0()).isCloseTo(0.25, within(1e-9));
        assertThat(y.M0()).isCloseTo(0.75, within(1e-9));
        double combined = x.n() / result.aggregates().n() * x.M0() + y.n() / result.aggregates().n() * y.M0();
        assertThat(combined).isCloseTo(result.aggregates().M0(), within(1e-9));
    }

    @Test
    void equalSharesReachKDespiteFloatingPoint() {
        var model = new AssessmentModel(1.0, List.of(new Indicator("a", "d", 1, "a", Operator.GE, 1),
                new Indicator("b", "d", 1, "b", Operator.GE, 1), new Indicator("c", "d", 1, "c", Operator.GE, 1)),
                List.of());
        var r = af.evaluate(model, List.of(new Subject("x", 1, null, Map.of("a", 1, "b", 1, "c", 1))));
        assertThat(r.records().get(0).poor()).isTrue();
    }

    @Test
    void indicatorsMayBeExpressions() {
        var model = new AssessmentModel(0.5, List.of(
                Indicator.of("income", "economy", 2, "income < 4000"),
                Indicator.of("school", "schooling", 1, "schoolYears < 6"),
                Indicator.of("health", "health", 1, "disabled == true")), MODEL.bands());
        var viaExpressions = af.evaluate(model, people(1)).aggregates();
        assertThat(viaExpressions).isEqualTo(af.evaluate(MODEL, people(1)).aggregates());
        assertThatThrownBy(() -> af.evaluate(new AssessmentModel(0.5, List.of(
                Indicator.of("x", "d", 1, "Runtime.getRuntime().exec('id')")), List.of()), people(1)))
                .isInstanceOf(Assessment.InvalidModelException.class)
                .hasMessageContaining("model.indicators[0].expression");
    }

    @Test
    void unusableInputIsRefusedNamingTheField() {
        assertThatThrownBy(() -> af.evaluate(new AssessmentModel(0, MODEL.indicators(), List.of()), people(1)))
                .isInstanceOf(Assessment.InvalidModelException.class).hasMessageContaining("model.k");
        assertThatThrownBy(() -> af.evaluate(new AssessmentModel(0.5, List.of(
                new Indicator("x", "d", 1, "System.exit(0)", Operator.LT, 1)), List.of()), people(1)))
                .hasMessageContaining("model.indicators[0].attribute");
        assertThatThrownBy(() -> af.evaluate(new AssessmentModel(0.5, List.of(
                new Indicator("x", "d", -1, "income", Operator.LT, 1)), List.of()), people(1)))
                .hasMessageContaining("model.indicators[0].weight");
        assertThatThrownBy(() -> af.evaluate(MODEL, List.of(new Subject("E", 1, null, Map.of("income", 1)))))
                .hasMessageContaining("records[0].values.schoolYears");
        assertThatThrownBy(() -> af.evaluate(MODEL, List.of(new Subject("E", 1, null,
                Map.of("income", "many", "schoolYears", 1, "disabled", false)))))
                .hasMessageContaining("records[0].values.income");
    }
}
