package org.fuzhi.identification.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fuzhi.identification.Assessment;
import org.fuzhi.identification.Assessment.Subject;
import org.fuzhi.identification.AssessmentModel;
import org.fuzhi.identification.AssessmentModel.Band;
import org.fuzhi.identification.AssessmentModel.Indicator;
import org.fuzhi.identification.AssessmentModel.Operator;
import org.fuzhi.identification.AssessmentResult.RecordResult;
import org.junit.jupiter.api.Test;

/** Each comparison, cut-off and level boundary of the assessment, and each rule a model must keep. */
class AlkireFosterRulesTest {

    private final AlkireFoster af = new AlkireFoster();

    /** One indicator, so a record is poor (score 1) exactly when the comparison holds. */
    private boolean deprived(Operator op, Object cutoff, Object value) {
        var model = new AssessmentModel(1, List.of(new Indicator("x", "d", 1, "v", op, cutoff)), List.of());
        return af.evaluate(model, List.of(new Subject("1", 1, null, Map.of("v", value)))).records().get(0).poor();
    }

    @Test
    void eachOperatorAtItsBoundary() {
        assertThat(deprived(Operator.LT, 4000, 3999)).isTrue();
        assertThat(deprived(Operator.LT, 4000, 4000)).isFalse();
        assertThat(deprived(Operator.LE, 4000, 4000)).isTrue();
        assertThat(deprived(Operator.LE, 4000, 4001)).isFalse();
        assertThat(deprived(Operator.GT, 4, 5)).isTrue();
        assertThat(deprived(Operator.GT, 4, 4)).isFalse();
        assertThat(deprived(Operator.GE, 4, 4)).isTrue();
        assertThat(deprived(Operator.GE, 4, 3)).isFalse();
        assertThat(deprived(Operator.EQ, 4, 4.0)).isTrue();
        assertThat(deprived(Operator.EQ, 4, "4")).isTrue();
        assertThat(deprived(Operator.NE, 4, 4)).isFalse();
        assertThat(deprived(Operator.NE, 4, 5)).isTrue();
        // text compares without case or surrounding spaces; booleans as their words
        assertThat(deprived(Operator.EQ, "UNSTABLE", " unstable ")).isTrue();
        assertThat(deprived(Operator.NE, "UNSTABLE", "LIFTED")).isTrue();
        assertThat(deprived(Operator.EQ, true, true)).isTrue();
        assertThat(deprived(Operator.EQ, true, false)).isFalse();
        assertThat(deprived(Operator.LT, "4000", " 3500 ")).isTrue();
    }

    private static String refusal(Runnable r) {
        try {
            r.run();
        } catch (Assessment.InvalidModelException e) {
            return e.field() + " " + e.messageKey();
        }
        throw new AssertionError("accepted");
    }

    @Test
    void aValueThatCannotBeComparedIsNamed() {
        var model = new AssessmentModel(1, List.of(new Indicator("x", "d", 1, "v", Operator.LT, 4000)), List.of());
        assertThat(refusal(() -> af.evaluate(model, List.of(new Subject("1", 1, null, Map.of("w", 1))))))
                .isEqualTo("records[0].values.v assessment.rule.missingValue");
        assertThat(refusal(() -> af.evaluate(model, List.of(new Subject("1", 1, null, Map.of("v", 1)),
                new Subject("2", 1, null, Map.of("v", "很少"))))))
                .isEqualTo("records[1].values.v assessment.rule.notNumber");
    }

    @Test
    void aRecordIsPoorFromTheCutOffOnAndTakesTheHighestLevelItReaches() {
        // weights 1:1:2 → 0.25 / 0.25 / 0.5
        var model = new AssessmentModel(0.5, List.of(new Indicator("a", "d", 1, "a", Operator.EQ, true),
                new Indicator("b", "d", 1, "b", Operator.EQ, true), new Indicator("c", "d", 2, "c", Operator.EQ, true)),
                // listed lowest first: the engine must still try the most severe first
                List.of(new Band("一般困难", 0.5), new Band("困难", 0.75), new Band("特别困难", 1)));
        List<Subject> people = List.of(
                new Subject("quarter", 1, null, Map.of("a", true, "b", false, "c", false)),
                new Subject("half", 1, null, Map.of("a", true, "b", true, "c", false)),
                new Subject("three-quarters", 1, null, Map.of("a", true, "b", false, "c", true)),
                new Subject("all", 1, null, Map.of("a", true, "b", true, "c", true)));
        List<RecordResult> r = af.evaluate(model, people).records();
        assertThat(r).extracting(RecordResult::poor).containsExactly(false, true, true, true);
        assertThat(r).extracting(RecordResult::level).containsExactly(null, "一般困难", "困难", "特别困难");
        var scorer = af.scorer(model, Set.of("a", "b", "c"));
        assertThat(people.stream().map(scorer::score).map(RecordResult::level).toList())
                .containsExactly(null, "一般困难", "困难", "特别困难");
    }

    @Test
    void aPoorRecordBelowEveryBandHasNoLevel() {
        var model = new AssessmentModel(0.5, List.of(new Indicator("a", "d", 1, "a", Operator.EQ, true),
                new Indicator("b", "d", 1, "b", Operator.EQ, true)), List.of(new Band("特别困难", 1)));
        RecordResult half = af.evaluate(model, List.of(new Subject("1", 1, null, Map.of("a", true, "b", false))))
                .records().get(0);
        assertThat(half.poor()).isTrue();
        assertThat(half.level()).isNull();
        assertThat(half.score()).isEqualTo(0.5);
    }

    private static AssessmentModel model(double k, Indicator ind, List<Band> bands) {
        return new AssessmentModel(k, List.of(ind), bands);
    }

    private static final Indicator OK = new Indicator("x", "d", 1, "v", Operator.LT, 4000);

    @Test
    void theCutOffIsAboveZeroAndAtMostOne() {
        assertThat(refusal(() -> af.check(model(0, OK, List.of()), Set.of()))).isEqualTo("model.k assessment.rule.k");
        assertThat(refusal(() -> af.check(model(1.0001, OK, List.of()), Set.of())))
                .isEqualTo("model.k assessment.rule.k");
        af.check(model(1, OK, List.of()), Set.of());
        af.check(model(0.0001, OK, List.of()), Set.of());
    }

    @Test
    void aLevelStartsAboveZeroAndAtMostOneAndHasAName() {
        af.check(model(0.5, OK, List.of(new Band("特别困难", 1))), Set.of());
        assertThat(refusal(() -> af.check(model(0.5, OK, List.of(new Band("x", 1.01))), Set.of())))
                .isEqualTo("model.bands[0] assessment.rule.band");
        assertThat(refusal(() -> af.check(model(0.5, OK, List.of(new Band("困难", 0.5), new Band("x", 0))), Set.of())))
                .isEqualTo("model.bands[1] assessment.rule.band");
        assertThat(refusal(() -> af.check(model(0.5, OK, List.of(new Band(" ", 0.5))), Set.of())))
                .isEqualTo("model.bands[0] assessment.rule.band");
        assertThat(refusal(() -> af.check(model(0.5, OK, List.of(new Band(null, 0.5))), Set.of())))
                .isEqualTo("model.bands[0] assessment.rule.band");
    }

    @Test
    void everyIndicatorIsCheckedByItsPlaceInTheList() {
        assertThat(refusal(() -> af.check(new AssessmentModel(0.5, List.of(), List.of()), Set.of())))
                .isEqualTo("model.indicators assessment.rule.noIndicators");
        assertThat(refusal(() -> af.check(new AssessmentModel(0.5, List.of(OK, OK), List.of()), Set.of())))
                .isEqualTo("model.indicators[1].code assessment.rule.duplicateCode");
        assertThat(refusal(() -> af.check(model(0.5, new Indicator(" ", "d", 1, "v", Operator.LT, 1), List.of()),
                Set.of()))).isEqualTo("model.indicators[0].code assessment.rule.required");
        assertThat(refusal(() -> af.check(model(0.5, new Indicator("x", "d", 0, "v", Operator.LT, 1), List.of()),
                Set.of()))).isEqualTo("model.indicators[0].weight assessment.rule.weight");
        assertThat(refusal(() -> af.check(model(0.5, new Indicator("x", "d", Double.POSITIVE_INFINITY, "v",
                Operator.LT, 1), List.of()), Set.of()))).isEqualTo("model.indicators[0].weight assessment.rule.weight");
        assertThat(refusal(() -> af.check(model(0.5, new Indicator("x", "d", 1, "1v", Operator.LT, 1), List.of()),
                Set.of()))).isEqualTo("model.indicators[0].attribute assessment.rule.attribute");
        assertThat(refusal(() -> af.check(model(0.5, new Indicator("x", "d", 1, "v", null, 1), List.of()),
                Set.of()))).isEqualTo("model.indicators[0].operator assessment.rule.operator");
        assertThat(refusal(() -> af.check(model(0.5, new Indicator("x", "d", 1, "v", Operator.LT, null), List.of()),
                Set.of()))).isEqualTo("model.indicators[0].cutoff assessment.rule.required");
        assertThat(refusal(() -> af.check(model(0.5, new Indicator("x", "d", 1, "v", Operator.GE, "很多"), List.of()),
                Set.of()))).isEqualTo("model.indicators[0].cutoff assessment.rule.cutoffNumber");
        // equality may compare with text
        af.check(model(0.5, new Indicator("x", "d", 1, "v", Operator.EQ, "UNSTABLE"), List.of()), Set.of());
        af.check(model(0.5, new Indicator("x", "d", 1, "v", Operator.NE, "UNSTABLE"), List.of()), Set.of());
    }

    @Test
    void anExpressionErrorSaysTheIndicatorAndTheColumnCountedFromOne() {
        try {
            af.check(model(0.5, Indicator.of("x", "d", 1, "v < "), List.of()), Set.of("v"));
        } catch (Assessment.InvalidModelException e) {
            assertThat(e.field()).isEqualTo("model.indicators[0].expression");
            assertThat(e.messageKey()).isEqualTo("expression.unexpectedEnd");
            assertThat(e.args()).containsExactly(4, "");
            return;
        }
        throw new AssertionError("accepted");
    }

    @Test
    void aRecordNeedsValuesAndAPositiveWeight() {
        var model = model(1, OK, List.of());
        assertThat(refusal(() -> af.evaluate(model, List.of(new Subject("1", 0, null, Map.of("v", 1))))))
                .isEqualTo("records[0].weight assessment.rule.recordWeight");
        assertThat(refusal(() -> af.evaluate(model, List.of(new Subject("1", Double.POSITIVE_INFINITY, null,
                Map.of("v", 1)))))).isEqualTo("records[0].weight assessment.rule.recordWeight");
        assertThat(refusal(() -> af.evaluate(model, List.of(new Subject("1", 1, null, null)))))
                .isEqualTo("records[0].values assessment.rule.required");
        assertThat(refusal(() -> af.evaluate(null, List.of()))).isEqualTo("model assessment.rule.required");
        assertThat(refusal(() -> af.scorer(model(2, OK, List.of()), Set.of()))).isEqualTo("model.k assessment.rule.k");
    }
}
