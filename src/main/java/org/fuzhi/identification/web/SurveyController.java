package org.fuzhi.identification.web;

import io.swagger.v3.oas.annotations.Operation;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.identification.Rounds;
import org.fuzhi.identification.Surveys;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Refusals;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The village survey's checklist: a page made for the village cadre's phone, and the same as an API. */
@Controller
class SurveyController {

    private final Surveys surveys;
    private final Rounds rounds;
    private final Refusals refusals;
    private final MessageSource messages;

    SurveyController(Surveys surveys, Rounds rounds, Refusals refusals, MessageSource messages) {
        this.surveys = surveys;
        this.rounds = rounds;
        this.refusals = refusals;
        this.messages = messages;
    }

    @GetMapping("/identification/surveys/{taskId}")
    String page(@PathVariable long taskId, @RequestParam(required = false) Surveys.Show show, Model model) {
        Surveys.Show shown = show == null ? Surveys.Show.ALL : show;
        model.addAttribute("list", surveys.checklist(CurrentUser.get(), Rounds.TaskId.of(taskId), shown));
        model.addAttribute("show", shown);
        model.addAttribute("marks", Arrays.stream(Surveys.Mark.values()).filter(Surveys.Mark::flagged)
                .toList());
        return "identification/survey";
    }

    @PostMapping("/identification/surveys/{taskId}/children/{studentId}")
    String mark(@PathVariable long taskId, @PathVariable long studentId, @RequestParam(required = false) Surveys.Mark mark,
                @RequestParam(required = false) String note, @RequestParam(required = false) Surveys.Show show,
                RedirectAttributes redirect, Locale locale) {
        String error = refusals.attempt(() -> surveys.mark(CurrentUser.get(), Rounds.TaskId.of(taskId), studentId, mark, note), locale);
        if (error != null) {
            redirect.addFlashAttribute("error", error);
            redirect.addFlashAttribute("failedChild", studentId);
            redirect.addFlashAttribute("typedNote", note);
        }
        // Back to the same child, so the cadre goes on down the list where they were.
        return "redirect:/identification/surveys/" + taskId + (show == null ? "" : "?show=" + show) + "#child-"
                + studentId;
    }

    @PostMapping("/identification/surveys/{taskId}/confirm-rest")
    String confirmRest(@PathVariable long taskId, RedirectAttributes redirect, Locale locale) {
        int[] n = {0};
        String error = refusals.attempt(() -> n[0] = surveys.confirmRest(CurrentUser.get(), Rounds.TaskId.of(taskId)), locale);
        redirect.addFlashAttribute(error == null ? "done" : "error", error == null
                ? messages.getMessage("survey.confirmedRest", new Object[]{n[0]}, locale) : error);
        return "redirect:/identification/surveys/" + taskId;
    }

    @PostMapping("/identification/surveys/{taskId}/missing")
    String reportMissing(@PathVariable long taskId, @RequestParam(required = false) String name,
                         @RequestParam(required = false) String note, RedirectAttributes redirect, Locale locale) {
        String error = refusals.attempt(() -> surveys.reportMissing(CurrentUser.get(), Rounds.TaskId.of(taskId), name, note), locale);
        if (error != null) {
            redirect.addFlashAttribute("missingError", error);
            redirect.addFlashAttribute("typedMissingName", name);
            redirect.addFlashAttribute("typedMissingNote", note);
        } else {
            redirect.addFlashAttribute("done", messages.getMessage("survey.missingSaved",
                    new Object[]{name.strip()}, locale));
        }
        return "redirect:/identification/surveys/" + taskId + "#missing";
    }

    /** Submits the survey from its checklist: on to the round when it passes, back to the list when refused. */
    @PostMapping("/identification/surveys/{taskId}/submit")
    String submit(@PathVariable long taskId, @RequestParam int version, @RequestParam(required = false) String remark,
                  RedirectAttributes redirect, Locale locale) {
        Rounds.TaskView[] task = {null};
        String error = refusals.attempt(() -> task[0] = rounds.complete(CurrentUser.get(), Rounds.TaskId.of(taskId), version, remark),
                locale);
        if (error != null) {
            redirect.addFlashAttribute("error", error);
            return "redirect:/identification/surveys/" + taskId;
        }
        redirect.addFlashAttribute("done", messages.getMessage("round.taskCompleted", null, locale));
        return "redirect:/identification/rounds/" + task[0].roundId();
    }

    // ------------------------------------------------------------------ API

    record MarkBody(Surveys.Mark mark, String note) {
    }

    record MissingBody(String name, String note) {
    }

    @GetMapping("/api/v1/identification/surveys/{taskId}")
    @ResponseBody
    @Operation(summary = "A village survey's checklist: the village's children in the round, each confirmed, flagged "
            + "or not yet checked, and the children reported missing (show=ALL|TODO|FLAGGED)")
    Surveys.Checklist apiChecklist(@PathVariable long taskId, @RequestParam(required = false) Surveys.Show show) {
        return surveys.checklist(CurrentUser.get(), Rounds.TaskId.of(taskId), show == null ? Surveys.Show.ALL : show);
    }

    @PostMapping("/api/v1/identification/surveys/{taskId}/children/{studentId}")
    @ResponseBody
    @Operation(summary = "Confirm a child (mark=CONFIRMED) or flag one (MOVED, NOT_IN_SCHOOL, FACTS_WRONG, with a note); "
            + "the village only, until it submits")
    Surveys.Child apiMark(@PathVariable long taskId, @PathVariable long studentId, @RequestBody MarkBody body) {
        return surveys.mark(CurrentUser.get(), Rounds.TaskId.of(taskId), studentId, body.mark(), body.note());
    }

    @PostMapping("/api/v1/identification/surveys/{taskId}/confirm-rest")
    @ResponseBody
    @Operation(summary = "Confirm every child of the list not yet checked")
    Map<String, Integer> apiConfirmRest(@PathVariable long taskId) {
        return Map.of("confirmed", surveys.confirmRest(CurrentUser.get(), Rounds.TaskId.of(taskId)));
    }

    @PostMapping("/api/v1/identification/surveys/{taskId}/missing")
    @ResponseBody
    @Operation(summary = "Report a child of the village the list does not hold (name and the case in words)")
    Surveys.Missing apiMissing(@PathVariable long taskId, @RequestBody MissingBody body) {
        return surveys.reportMissing(CurrentUser.get(), Rounds.TaskId.of(taskId), body.name(), body.note());
    }
}
