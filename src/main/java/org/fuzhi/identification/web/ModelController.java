package org.fuzhi.identification.web;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.fuzhi.identification.Assessment;
import org.fuzhi.identification.AssessmentModel;
import org.fuzhi.identification.LiveEvaluation;
import org.fuzhi.identification.Models;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Privacy;
import org.fuzhi.platform.Refusals;
import org.fuzhi.registry.Registry;
import org.fuzhi.registry.StudentView;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The assessment model editor: versions, drafts, what-if on live data with the cost impact, publishing. */
@Controller
class ModelController {

    static final List<String> DIMENSIONS = List.of("economy", "schooling", "health", "special");
    private static final Pattern ROW = Pattern.compile("model\\.(indicators|bands|costs)\\[(\\d+)]\\.(\\w+)");

    private final Models models;
    private final MessageSource messages;
    private final Refusals refusals;

    private final Registry registry;

    ModelController(Models models, MessageSource messages, Refusals refusals, Registry registry) {
        this.registry = registry;
        this.models = models;
        this.messages = messages;
        this.refusals = refusals;
    }

    @GetMapping("/identification/models")
    String list(Model model) {
        model.addAttribute("versions", models.list(CurrentUser.get()));
        return "identification/models";
    }

    @PostMapping("/identification/models/{id}/draft")
    String draft(@PathVariable long id) {
        return "redirect:/identification/models/" + models.newDraft(CurrentUser.get(), id).id();
    }

    @GetMapping("/identification/models/{id}")
    String edit(@PathVariable long id, Model model) {
        Models.ModelVersion v = models.get(CurrentUser.get(), id);
        return editor(model, v, v.definition());
    }

    private String editor(Model model, Models.ModelVersion v, Models.Definition shown) {
        model.addAttribute("version", v);
        model.addAttribute("def", shown);
        model.addAttribute("dimensions", DIMENSIONS);
        // Named as a clerk knows them, with the code an expression uses in brackets.
        Locale loc = LocaleContextHolder.getLocale();
        model.addAttribute("attributes", models.attributes().stream().sorted()
                .map(a -> messages.getMessage("model.attributeNamed",
                        new Object[]{messages.getMessage("model.attr." + a, null, a, loc), a}, loc)).toList());
        model.addAttribute("current", models.current());
        // Each rule read back in words, in the reader's language, under the expression that is stored and run.
        Locale locale = LocaleContextHolder.getLocale();
        model.addAttribute("sentences", shown.indicators().stream()
                .map(i -> Objects.requireNonNullElse(models.readBack(i.expression(), locale), "")).toList());
        // The form of each rule that is one attribute compared (null: only the expression edits it).
        model.addAttribute("rules", shown.indicators().stream()
                .map(i -> models.simpleRule(i.expression()).orElse(null)).toList());
        model.addAttribute("ruleAttributes", models.attributes().stream().sorted()
                .map(a -> new RuleAttribute(a, messages.getMessage("model.attr." + a, null, a, locale),
                        models.kindOf(a).name())).toList());
        Map<String, List<RuleAttribute>> categories = new LinkedHashMap<>();
        for (String a : models.attributes().stream().sorted().toList()) {
            if (models.kindOf(a) == Models.AttributeKind.CATEGORY) {
                String prefix = a.equals("household.category") ? "enum.PovertyCategory." : "enum.Stage.";
                categories.put(a, models.categories(a).stream().map(c -> new RuleAttribute(c,
                        messages.getMessage(prefix + c, null, c, locale), "")).toList());
            }
        }
        model.addAttribute("categoryOptions", categories);
        // three empty rows so a new indicator can be typed in without any script
        model.addAttribute("blankRows", 3);
        return "identification/model";
    }

    @PostMapping("/identification/models/{id}")
    String save(@PathVariable long id, @RequestParam int lockVersion, @RequestParam(required = false) String name,
                @RequestParam(required = false) String k,
                @RequestParam(required = false) List<String> code, @RequestParam(required = false) List<String> dimension,
                @RequestParam(required = false) List<String> weight,
                @RequestParam(required = false) List<String> expression,
                @RequestParam(required = false) List<String> exprBefore,
                @RequestParam(required = false) List<String> ruleAttr, @RequestParam(required = false) List<String> ruleOp,
                @RequestParam(required = false) List<String> ruleValue,
                @RequestParam(required = false) List<String> ruleCats,
                @RequestParam(required = false) List<String> bandLevel, @RequestParam(required = false) List<String> bandMin,
                @RequestParam(required = false) List<String> costStage, @RequestParam(required = false) List<String> costLevel,
                @RequestParam(required = false) List<String> costAmount,
                Model model, RedirectAttributes redirect, Locale locale) {
        var user = CurrentUser.get();
        List<String> expressions = new ArrayList<>(expression == null ? List.of() : expression);
        String formError = attempt(() -> applyRuleForms(expressions, exprBefore, ruleAttr, ruleOp, ruleValue,
                ruleCats), locale);
        Models.Definition typed = new Models.Definition(name == null ? "" : name.strip(), number(k),
                bands(bandLevel, bandMin), indicators(code, dimension, weight, expressions),
                costs(costStage, costLevel, costAmount));
        String error = formError != null ? formError
                : attempt(() -> models.saveDraft(user, id, lockVersion, typed), locale);
        if (error == null) {
            redirect.addFlashAttribute("done", messages.getMessage("model.saved", null, locale));
            return "redirect:/identification/models/" + id;
        }
        // What the user typed comes back with the message, so nothing is lost.
        model.addAttribute("error", error);
        return editor(model, models.get(user, id), typed);
    }

    private List<StudentView> students(CurrentUser user, List<Long> ids) {
        Privacy privacy = Privacy.of(user);
        return ids.stream().map(sid -> registry.student(user.childDataScope(), sid)).flatMap(Optional::stream)
                .map(st -> st.seenBy(privacy)).toList();
    }

    @PostMapping("/identification/models/{id}/what-if")
    String whatIf(@PathVariable long id, Model model, Locale locale) {
        var user = CurrentUser.get();
        Models.ModelVersion v = models.get(user, id);
        try {
            LiveEvaluation.Result result = models.whatIf(user, id);
            model.addAttribute("whatIf", result);
            // The chart: each level (highest first, then "not poor") under the published model and the draft.
            List<String> levelKeys = new ArrayList<>();
            models.bands(v.version()).forEach(b -> levelKeys.add(b.level()));
            Stream.concat(result.levels().keySet().stream(), result.publishedLevels().keySet().stream())
                    .filter(k -> !k.isEmpty() && !levelKeys.contains(k)).distinct().forEach(levelKeys::add);
            levelKeys.add("");
            model.addAttribute("chartLevels", levelKeys.stream().map(k -> k.isEmpty()
                    ? messages.getMessage("model.notPoor", null, locale) : k).toList());
            model.addAttribute("chartPublished", levelKeys.stream()
                    .map(k -> result.publishedLevels().getOrDefault(k, 0L)).toList());
            model.addAttribute("chartDraft", levelKeys.stream().map(k -> result.levels().getOrDefault(k, 0L)).toList());
            if (result.comparison() != null) {
                // Who would enter and who would leave, by name as this role may see names (masked for some).
                model.addAttribute("enteredStudents", students(user, result.comparison().enteredSample()));
                model.addAttribute("leftStudents", students(user, result.comparison().leftSample()));
            }
        } catch (Assessment.InvalidModelException e) {
            model.addAttribute("error", describe(e, locale));
        }
        return editor(model, v, v.definition());
    }

    @PostMapping("/identification/models/{id}/publish")
    String publish(@PathVariable long id, @RequestParam int lockVersion, RedirectAttributes redirect, Locale locale) {
        String error = attempt(() -> models.publish(CurrentUser.get(), id, lockVersion), locale);
        redirect.addFlashAttribute(error == null ? "done" : "error",
                error == null ? messages.getMessage("model.published", null, locale) : error);
        return "redirect:/identification/models/" + id;
    }

    /** As {@link Refusals#attempt}, and a model that breaks a rule names the row and the field. */
    private String attempt(Runnable action, Locale locale) {
        try {
            return refusals.attempt(action, locale);
        } catch (Assessment.InvalidModelException e) {
            return describe(e, locale);
        }
    }

    /** "第 3 个指标 · 表达式：…" — the row and column of the form, then the rule. */
    private String describe(Assessment.InvalidModelException e, Locale locale) {
        String rule = messages.getMessage(e.messageKey(), e.args(), locale);
        Matcher m = ROW.matcher(e.field());
        String where;
        if (m.matches()) {
            where = messages.getMessage("model.where." + m.group(1),
                    new Object[]{Integer.parseInt(m.group(2)) + 1,
                            messages.getMessage("model.column." + m.group(3), null, m.group(3), locale)}, locale);
        } else if (e.field().startsWith("records[")) {
            int n = Integer.parseInt(e.field().replaceAll("\\D", ""));
            where = messages.getMessage("model.where.records", new Object[]{n + 1}, locale);
        } else {
            where = messages.getMessage("model.column." + e.field().replace("model.", ""), null, e.field(), locale);
        }
        return messages.getMessage("assessment.fieldMessage", new Object[]{where, rule}, locale);
    }

    private static double number(String s) {
        try {
            return s == null || s.isBlank() ? Double.NaN : Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String at(List<String> list, int i) {
        return list != null && i < list.size() && list.get(i) != null ? list.get(i).strip() : "";
    }

    /** An attribute or category as the rule form offers it: code, label in the reader's words, kind. */
    record RuleAttribute(String code, String label, String kind) {
    }

    /**
     * A row whose rule form names an attribute gets the expression the form stands for — unless its expression
     * was edited by hand in the same save (what the user changed wins; the form then shows the typed rule).
     * Category boxes arrive as "row:code", since one form holds every row's boxes.
     */
    private void applyRuleForms(List<String> expressions, List<String> before, List<String> attr, List<String> op,
                                List<String> value, List<String> cats) {
        int n = attr == null ? 0 : attr.size();
        for (int i = 0; i < n && i < expressions.size(); i++) {
            String a = at(attr, i);
            if (a.isEmpty() || !at(expressions, i).equals(at(before, i))) {
                continue;
            }
            String row = i + ":";
            List<String> ticked = cats == null ? List.of() : cats.stream().filter(c -> c.startsWith(row))
                    .map(c -> c.substring(row.length())).toList();
            Models.SimpleRule rule = new Models.SimpleRule(a, at(op, i), at(value, i), ticked);
            String composed = models.expressionOf(rule, i + 1);
            if (!composed.equals(at(expressions, i))
                    && !models.simpleRule(at(expressions, i)).map(rule::equals).orElse(false)) {
                expressions.set(i, composed);
            }
        }
    }

    static List<Models.IndicatorDef> indicators(List<String> code, List<String> dimension, List<String> weight,
                                                List<String> expression) {
        List<Models.IndicatorDef> out = new ArrayList<>();
        int n = code == null ? 0 : code.size();
        for (int i = 0; i < n; i++) {
            if (at(code, i).isEmpty() && at(expression, i).isEmpty() && at(weight, i).isEmpty()) {
                continue; // an unused blank row
            }
            out.add(new Models.IndicatorDef(at(code, i), at(dimension, i), number(at(weight, i)), at(expression, i)));
        }
        return out;
    }

    private static List<AssessmentModel.Band> bands(List<String> level, List<String> min) {
        List<AssessmentModel.Band> out = new ArrayList<>();
        int n = level == null ? 0 : level.size();
        for (int i = 0; i < n; i++) {
            if (!at(level, i).isEmpty() || !at(min, i).isEmpty()) {
                out.add(new AssessmentModel.Band(at(level, i), number(at(min, i))));
            }
        }
        return out;
    }

    private static List<Models.Cost> costs(List<String> stage, List<String> level, List<String> amount) {
        List<Models.Cost> out = new ArrayList<>();
        int n = stage == null ? 0 : stage.size();
        for (int i = 0; i < n; i++) {
            BigDecimal a;
            try {
                a = at(amount, i).isEmpty() ? BigDecimal.ZERO : new BigDecimal(at(amount, i));
            } catch (NumberFormatException e) {
                a = null;
            }
            out.add(new Models.Cost(at(stage, i), at(level, i), a));
        }
        return out;
    }

    // ------------------------------------------------------------------ API

    @GetMapping("/api/v1/identification/models")
    @ResponseBody
    List<Models.ModelVersion> apiList() {
        return models.list(CurrentUser.get());
    }

    @GetMapping("/api/v1/identification/models/{id:\\d+}")
    @ResponseBody
    Models.ModelVersion apiGet(@PathVariable long id) {
        return models.get(CurrentUser.get(), id);
    }

    @PostMapping("/api/v1/identification/models/{id:\\d+}/drafts")
    @ResponseBody
    Models.ModelVersion apiDraft(@PathVariable long id) {
        return models.newDraft(CurrentUser.get(), id);
    }

    @PutMapping("/api/v1/identification/models/{id:\\d+}")
    @ResponseBody
    Models.ModelVersion apiSave(@PathVariable long id, @RequestParam int lockVersion,
                                @RequestBody Models.Definition body) {
        return models.saveDraft(CurrentUser.get(), id, lockVersion, body);
    }

    @PostMapping("/api/v1/identification/models/{id:\\d+}/what-if")
    @ResponseBody
    LiveEvaluation.Result apiWhatIf(@PathVariable long id) {
        return models.whatIf(CurrentUser.get(), id);
    }

    @PostMapping("/api/v1/identification/models/{id:\\d+}/publish")
    @ResponseBody
    Models.ModelVersion apiPublish(@PathVariable long id, @RequestParam int lockVersion) {
        return models.publish(CurrentUser.get(), id, lockVersion);
    }

    @ExceptionHandler(Assessment.InvalidModelException.class)
    ResponseEntity<Map<String, Object>> invalid(Assessment.InvalidModelException e, Locale locale) {
        return ResponseEntity.badRequest().body(Map.of("status", 400, "field", e.field(),
                "message", describe(e, locale)));
    }
}
