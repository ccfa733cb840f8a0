package org.fuzhi.identification;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.fuzhi.platform.CurrentUser;

/**
 * 评估模型版本 — the assessment model as the county edits it: a draft is copied from a version, edited, tried on live
 * data against the published version (who enters, leaves, changes level, and what it costs), then published. One
 * version is published at a time; rounds record the version they used. Published versions never change.
 */
public interface Models {

    enum Status { DRAFT, PUBLISHED, RETIRED }

    List<ModelVersion> list(CurrentUser user);

    /** The attribute names an indicator may use, in order. */
    Set<String> attributes();

    /** An indicator's rule in words ("家庭人均年收入低于 6000 元"); null when the rule does not parse. */
    String readBack(String expression, Locale locale);

    /** How the rule form edits an attribute: a number compared, a yes/no, or a set of categories ticked. */
    enum AttributeKind { NUMBER, YES_NO, CATEGORY }

    AttributeKind kindOf(String attribute);

    /** The codes a category attribute takes (household categories, stages), in their order. */
    List<String> categories(String attribute);

    /** The rule as the form shows it, when it is one attribute compared (else empty: only the expression edits it). */
    Optional<SimpleRule> simpleRule(String expression);

    /**
     * The expression the form's rule stands for.
     *
     * @throws org.fuzhi.platform.RuleViolationException naming what is missing or does not fit the attribute
     */
    String expressionOf(SimpleRule rule, int indicatorNo);

    /**
     * One attribute compared: {@code op} is lt, le, gt, ge, eq, ne with a number {@code value}; yes or no; or in
     * with the ticked {@code values}.
     */
    record SimpleRule(String attribute, String op, String value, List<String> values) {
    }

    ModelVersion get(CurrentUser user, long id);

    /**
     * The levels of a model version and their lowest scores, highest level first (empty for an unknown version).
     * Not restricted by role: a round's page says by which threshold each child got their level.
     */
    List<AssessmentModel.Band> bands(String version);

    /** The published version (the shipped default until the county publishes its own). */
    ModelVersion current();

    ModelVersion newDraft(CurrentUser user, long fromId);

    /** @throws Assessment.InvalidModelException naming the field and the rule */
    ModelVersion saveDraft(CurrentUser user, long id, int lockVersion, Definition definition);

    ModelVersion publish(CurrentUser user, long id, int lockVersion);

    /** The draft against the published version on the in-school students of the user's scope. Nothing is saved. */
    LiveEvaluation.Result whatIf(CurrentUser user, long draftId);

    /**
     * @param costs yearly aid per student by stage group and level (元), for the cost impact of a change; the aid
     *              catalog's own amounts replace them when the aid module computes entitlements
     */
    record Definition(String name, double k, List<AssessmentModel.Band> bands, List<IndicatorDef> indicators,
                      List<Cost> costs) {
    }

    record IndicatorDef(String code, String dimension, double weight, String expression) {
    }

    record Cost(String stage, String level, BigDecimal amount) {
    }

    record ModelVersion(long id, String version, String name, Status status, Definition definition, String basedOn,
                        String createdBy, Instant createdAt, Instant publishedAt, int lockVersion) {
    }
}
