package org.fuzhi.identification.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.identification.Assessment;
import org.fuzhi.identification.AssessmentModel;
import org.fuzhi.identification.AssessmentResult;
import org.fuzhi.identification.LiveEvaluation;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Role;
import org.springframework.context.MessageSource;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** What-if evaluation of an assessment model on supplied records; nothing is saved. */
@RestController
@Tag(name = "identification")
class EvaluateController {

    private final Assessment assessment;
    private final LiveEvaluation live;
    private final MessageSource messages;

    EvaluateController(Assessment assessment, LiveEvaluation live, MessageSource messages) {
        this.assessment = assessment;
        this.live = live;
        this.messages = messages;
    }

    record EvaluateRequest(ModelDto model, List<RecordDto> records) {
    }

    record ModelDto(Double k, List<IndicatorDto> indicators, List<BandDto> bands) {
    }

    record IndicatorDto(String code, String dimension, Double weight, String attribute, String operator,
                        Object cutoff, String expression) {
    }

    record BandDto(String level, Double min) {
    }

    record RecordDto(String id, Double weight, String group, Map<String, Object> values) {
    }

    @PostMapping("/api/v1/identification/evaluate")
    @Operation(summary = "Evaluate a multi-dimensional (Alkire–Foster) model on records without saving")
    AssessmentResult evaluate(@RequestBody EvaluateRequest body) {
        requireAnalyst();
        if (body.model() == null) {
            throw new Assessment.InvalidModelException("model", "assessment.rule.required");
        }
        AssessmentModel model = toModel(body.model());
        List<Assessment.Subject> subjects = body.records() == null ? null : body.records().stream()
                .map(r -> new Assessment.Subject(r.id(), r.weight() == null ? 1 : r.weight(), r.group(), r.values()))
                .toList();
        return assessment.evaluate(model, subjects);
    }

    record LiveRequest(ModelDto model) {
    }

    @GetMapping("/api/v1/identification/models/default")
    @Operation(summary = "The default assessment model (两不愁三保障 and the Jiangxi dimensions)")
    LiveEvaluation.ModelDefinition defaultModel() {
        requireAnalyst();
        return live.defaultModel();
    }

    @PostMapping("/api/v1/identification/evaluate/live")
    @Operation(summary = "Evaluate the default model, or a draft compared with it, on the in-school students of "
            + "your scope; nothing is saved")
    LiveEvaluation.Result evaluateLive(@RequestBody(required = false) LiveRequest body) {
        var user = requireAnalyst();
        AssessmentModel draft = body == null || body.model() == null ? null : toModel(body.model());
        return live.evaluate(user, draft);
    }

    private static CurrentUser requireAnalyst() {
        var user = CurrentUser.get();
        user.require(user.role() == Role.CENTER || user.role() == Role.LEADER || user.role() == Role.EVALUATOR);
        return user;
    }

    private static AssessmentModel toModel(ModelDto dto) {
        List<AssessmentModel.Indicator> indicators = new ArrayList<>();
        List<IndicatorDto> raw = dto.indicators() == null ? List.of() : dto.indicators();
        for (int j = 0; j < raw.size(); j++) {
            IndicatorDto i = raw.get(j);
            AssessmentModel.Operator op = null;
            boolean hasExpression = i.expression() != null && !i.expression().isBlank();
            if (!hasExpression) {
                try {
                    op = AssessmentModel.Operator.of(i.operator() == null ? "" : i.operator().strip());
                } catch (IllegalArgumentException e) {
                    throw new Assessment.InvalidModelException("model.indicators[" + j + "].operator",
                            "assessment.rule.operator");
                }
            }
            indicators.add(new AssessmentModel.Indicator(i.code(), i.dimension(),
                    i.weight() == null ? Double.NaN : i.weight(), i.attribute(), op, i.cutoff(), i.expression()));
        }
        List<AssessmentModel.Band> bands = dto.bands() == null ? List.of() : dto.bands().stream()
                .map(b -> new AssessmentModel.Band(b.level(), b.min() == null ? Double.NaN : b.min())).toList();
        return new AssessmentModel(dto.k() == null ? Double.NaN : dto.k(), indicators, bands);
    }

    @ExceptionHandler(Assessment.InvalidModelException.class)
    ResponseEntity<Map<String, Object>> invalid(Assessment.InvalidModelException e, Locale locale) {
        return ResponseEntity.badRequest().body(Map.of("status", 400, "field", e.field(),
                "message", messages.getMessage("assessment.fieldMessage",
                        new Object[]{e.field(), messages.getMessage(e.messageKey(), e.args(), locale)}, locale)));
    }
}
