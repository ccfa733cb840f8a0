package org.fuzhi.identification.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.fuzhi.identification.Assessment;
import org.fuzhi.identification.AssessmentModel;
import org.fuzhi.identification.AssessmentResult;
import org.fuzhi.identification.LiveEvaluation;
import org.fuzhi.identification.Models;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.registry.Registry;
import org.springframework.stereotype.Service;

@Service
class LiveAssessment implements LiveEvaluation {

    private static final int SAMPLE = 50;

    private final Registry registry;
    private final AlkireFoster engine;
    private final AuditLog audit;
    private final ModelStore store;
    private final SourceListFlags lists;

    LiveAssessment(Registry registry, AlkireFoster engine, AuditLog audit, ModelStore store, SourceListFlags lists) {
        this.lists = lists;
        this.registry = registry;
        this.engine = engine;
        this.audit = audit;
        this.store = store;
    }

    @Override
    public ModelDefinition defaultModel() {
        var v = store.current();
        return new ModelDefinition(v.version(), v.name(), ModelStore.toModel(v.definition()), v.definition().costs());
    }

    @Override
    public Result evaluate(CurrentUser user, AssessmentModel draft) {
        return evaluate(user, draft, null);
    }

    @Override
    public Result evaluate(CurrentUser user, AssessmentModel draft, List<Models.Cost> draftCosts) {
        ModelDefinition defaultModel = defaultModel();
        List<Assessment.Subject> byStage = new ArrayList<>();
        List<Assessment.Subject> byCategory = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        List<String> stageOf = new ArrayList<>();
        var listed = lists.load();
        registry.forEachAssessmentSubject(user.childDataScope(), s -> {
            SourceListFlags.annotate(listed, s);
            ids.add(s.studentId());
            stageOf.add(s.stageGroup());
            String id = String.valueOf(s.studentId());
            byStage.add(new Assessment.Subject(id, 1, s.stageGroup(), s.values()));
            byCategory.add(new Assessment.Subject(id, 1, s.povertyCategory() == null ? "NONE" : s.povertyCategory(),
                    s.values()));
        });
        AssessmentModel base = defaultModel.model();
        AssessmentResult baseResult = engine.evaluate(base, byStage);
        AssessmentModel evaluated = draft == null ? base : draft;
        AssessmentResult result = draft == null ? baseResult : engine.evaluate(draft, byStage);
        AssessmentResult categories = engine.evaluate(evaluated, byCategory);
        Map<String, Long> levels = levels(result);
        Map<String, Long> publishedLevels = levels(baseResult);
        Comparison comparison = draft == null ? null : compare(baseResult, result, ids);
        BigDecimal published = cost(baseResult, stageOf, defaultModel.costs());
        BigDecimal evaluatedCost = draft == null ? published
                : cost(result, stageOf, draftCosts == null ? defaultModel.costs() : draftCosts);
        Cost cost = new Cost(published, evaluatedCost, evaluatedCost.subtract(published));
        audit.record("ASSESSMENT_EVALUATE", "assessment-model", draft == null ? defaultModel.version() : "draft",
                Map.of("students", ids.size()));
        return new Result(draft == null ? defaultModel.version() : "draft", ids.size(), result.aggregates(),
                result.byGroup(), categories.byGroup(), levels, comparison, cost, publishedLevels);
    }

    /** Students per level of a result ("" for not poor). */
    private static Map<String, Long> levels(AssessmentResult result) {
        Map<String, Long> levels = new TreeMap<>();
        for (var r : result.records()) {
            levels.merge(r.poor() ? r.level() == null ? "" : r.level() : "", 1L, Long::sum);
        }
        return levels;
    }

    /** The yearly aid the poor students of a result would receive under a cost table (stage group × level). */
    private static BigDecimal cost(AssessmentResult result, List<String> stageOf, List<Models.Cost> table) {
        Map<String, BigDecimal> amount = new HashMap<>();
        if (table != null) {
            table.forEach(c -> amount.put(c.stage() + "|" + c.level(), c.amount()));
        }
        BigDecimal total = BigDecimal.ZERO;
        for (int i = 0; i < result.records().size(); i++) {
            var r = result.records().get(i);
            if (r.poor() && r.level() != null) {
                total = total.add(amount.getOrDefault(stageOf.get(i) + "|" + r.level(), BigDecimal.ZERO));
            }
        }
        return total;
    }

    private static Comparison compare(AssessmentResult before, AssessmentResult after, List<Long> ids) {
        long entered = 0;
        long left = 0;
        long changed = 0;
        List<Long> enteredSample = new ArrayList<>();
        List<Long> leftSample = new ArrayList<>();
        List<Long> changedSample = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            var b = before.records().get(i);
            var a = after.records().get(i);
            if (!b.poor() && a.poor()) {
                entered++;
                add(enteredSample, ids.get(i));
            } else if (b.poor() && !a.poor()) {
                left++;
                add(leftSample, ids.get(i));
            } else if (b.poor() && !Objects.equals(b.level(), a.level())) {
                changed++;
                add(changedSample, ids.get(i));
            }
        }
        return new Comparison(entered, left, changed, enteredSample, leftSample, changedSample);
    }

    private static void add(List<Long> sample, long id) {
        if (sample.size() < SAMPLE) {
            sample.add(id);
        }
    }
}
