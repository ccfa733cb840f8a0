package org.fuzhi.identification;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.fuzhi.platform.CurrentUser;

/**
 * Assessment of the live registry: the published model (or a draft) applied to every in-school student of the
 * user's scope, with Alkire–Foster aggregates by stage and by poverty category. Nothing is saved.
 */
public interface LiveEvaluation {

    /** The published model (at first the shipped default: 两不愁三保障 and the Jiangxi plan's dimensions). */
    ModelDefinition defaultModel();

    /**
     * @param draft a draft model to compare with the default, or null to evaluate the default alone
     */
    Result evaluate(CurrentUser user, AssessmentModel draft);

    /** @param costs yearly aid by stage group and level, for the cost impact of a draft */
    record ModelDefinition(String version, String name, AssessmentModel model, List<Models.Cost> costs) {
    }

    /** A draft compared with the published model, its own cost table applied to its own result. */
    Result evaluate(CurrentUser user, AssessmentModel draft, List<Models.Cost> draftCosts);

    /**
     * @param levels     students per level under the evaluated model ("" for not poor)
     * @param comparison present when a draft was evaluated: who would enter, leave or change level
     * @param publishedLevels students per level under the published model, on the same students ("" for not poor)
     */
    record Result(String modelVersion, long students, AssessmentResult.Aggregates aggregates,
                  Map<String, AssessmentResult.Aggregates> byStage, Map<String, AssessmentResult.Aggregates> byCategory,
                  Map<String, Long> levels, Comparison comparison, Cost cost, Map<String, Long> publishedLevels) {
    }

    /** Yearly aid (元) for the poor students under the published model and under the draft. */
    record Cost(BigDecimal published, BigDecimal draft, BigDecimal change) {
    }

    /** Students whose result differs between the default and the draft; samples list at most 50 student ids. */
    record Comparison(long entered, long left, long levelChanged, List<Long> enteredSample, List<Long> leftSample,
                      List<Long> levelChangedSample) {
    }
}
