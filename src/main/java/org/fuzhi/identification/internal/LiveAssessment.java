package org.fuzhi.identification.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.fuzhi.identification.Assessment;
import org.fuzhi.identification.AssessmentModel;
import org.fuzhi.identification.AssessmentResult;
import org.fuzhi.identification.LiveEvaluation;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.registry.Registry;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

@Service
class LiveAssessment implements LiveEvaluation {

    private static final int SAMPLE = 50;

    private final Registry registry;
    private final AlkireFoster engine;
    private final AuditLog audit;
    private final ModelDefinition defaultModel;

    LiveAssessment(Registry registry, AlkireFoster engine, AuditLog audit) {
        this.registry = registry;
        this.engine = engine;
        this.audit = audit;
        this.defaultModel = load();
    }

    /** The default model file, as a county would edit it: JSON with indicators written in the indicator language. */
    record ModelFile(String version, String name, double k, List<AssessmentModel.Band> bands,
                     List<IndicatorFile> indicators) {
    }

    record IndicatorFile(String code, String dimension, double weight, String expression) {
    }

    private static ModelDefinition load() {
        try (InputStream in = LiveAssessment.class.getResourceAsStream("/identification/default-model.json")) {
            ModelFile f = JsonMapper.builder().build().readValue(in, ModelFile.class);
            var indicators = f.indicators().stream()
                    .map(i -> AssessmentModel.Indicator.of(i.code(), i.dimension(), i.weight(), i.expression())).toList();
            return new ModelDefinition(f.version(), f.name(), new AssessmentModel(f.k(), indicators, f.bands()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ModelDefinition defaultModel() {
        return defaultModel;
    }

    @Override
    public Result evaluate(CurrentUser user, AssessmentModel draft) {
        List<Assessment.Subject> byStage = new ArrayList<>();
        List<Assessment.Subject> byCategory = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        registry.forEachAssessmentSubject(user.childDataScope(), s -> {
            ids.add(s.studentId());
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
        Map<String, Long> levels = new TreeMap<>();
        for (var r : result.records()) {
            levels.merge(r.poor() ? r.level() == null ? "" : r.level() : "", 1L, Long::sum);
        }
        Comparison comparison = draft == null ? null : compare(baseResult, result, ids);
        audit.record("ASSESSMENT_EVALUATE", "assessment-model", draft == null ? defaultModel.version() : "draft",
                Map.of("students", ids.size()));
        return new Result(draft == null ? defaultModel.version() : "draft", ids.size(), result.aggregates(),
                result.byGroup(), categories.byGroup(), levels, comparison);
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
