package org.fuzhi.identification.web;

import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.common.Page;
import org.fuzhi.identification.Models;
import org.fuzhi.identification.Notices;
import org.fuzhi.identification.Rounds;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Downloads;
import org.fuzhi.platform.Exports;
import org.fuzhi.platform.JobAnswers;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.Refusals;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.fuzhi.region.Directory;
import org.springframework.context.MessageSource;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Identification rounds: create and re-run, the verification steps of every unit, results, notice, final. */
@Controller
class RoundController {

    private static final List<Integer> PAGE_SIZES = List.of(20, 50, 100);

    private final Rounds rounds;
    private final Notices notices;
    private final Directory directory;
    private final MessageSource messages;
    private final Refusals refusals;
    private final Jobs jobs;
    private final JobAnswers answers;
    private final Models models;

    private final Exports exports;

    RoundController(Rounds rounds, Notices notices, MessageSource messages,
                    Refusals refusals, Directory directory, Jobs jobs,
                    JobAnswers answers, Models models,
                    Exports exports) {
        this.exports = exports;
        this.models = models;
        this.jobs = jobs;
        this.answers = answers;
        this.directory = directory;
        this.rounds = rounds;
        this.notices = notices;
        this.messages = messages;
        this.refusals = refusals;
    }

    // ------------------------------------------------------------------ pages

    @GetMapping("/identification/rounds")
    String list(Model model) {
        CurrentUser me = CurrentUser.get();
        model.addAttribute("rounds", rounds.list(me));
        if (me.role() == Role.CENTER) {
            model.addAttribute("contact", notices.contact(me));
            model.addAttribute("areas", areas(me));
        }
        LocalDate today = LocalDate.now(ZoneId.of("Asia/Shanghai"));
        int year = today.getMonthValue() >= 8 ? today.getYear() : today.getYear() - 1;
        model.addAttribute("defaultYear", year);
        model.addAttribute("defaultTerm", today.getMonthValue() >= 8 || today.getMonthValue() == 1 ? "AUTUMN" : "SPRING");
        return "identification/rounds";
    }

    /** One group of the area picker: a division below the center's area, then the divisions inside it. */
    /** The areas a center may take a round over, by name (see {@link org.fuzhi.region.Directory#areaGroups}). */
    private List<Directory.AreaGroup> areas(CurrentUser me) {
        String code = me.scope().code();
        if (code == null || me.scope().type() != Scope.Type.REGION) {
            return List.of();
        }
        return directory.areaGroups(code);
    }

    @PostMapping("/identification/rounds")
    String create(@RequestParam String name, @RequestParam int schoolYear, @RequestParam String term,
                  @RequestParam String scopeCode, RedirectAttributes redirect, Locale locale) {
        long[] created = new long[1];
        Jobs.Job[] job = new Jobs.Job[1];
        String error = refusals.attempt(() -> {
            job[0] = startCreate(new Rounds.NewRound(name, schoolYear, term, scopeCode), locale);
            answers.ui(job[0]).ifPresent(v -> created[0] = ((Rounds.RoundView) v).id());
        }, locale);
        if (error != null) {
            redirect.addFlashAttribute("error", error);
            return "redirect:/identification/rounds";
        }
        if (created[0] == 0) { // still running: the progress bar leads to the round when it is done
            return answers.page(job[0]);
        }
        redirect.addFlashAttribute("done", messages.getMessage("round.created", null, locale));
        return "redirect:/identification/rounds/" + created[0];
    }

    @GetMapping("/identification/rounds/{id}")
    String round(@PathVariable long id, @RequestParam(required = false) Rounds.Source source,
                 @RequestParam(required = false) String level, @RequestParam(required = false) String q,
                 @RequestParam(required = false) Rounds.Step step,
                 @RequestParam(defaultValue = "0") int page, @RequestParam(required = false) Boolean confirmReset,
                 @RequestParam(required = false) String sort, @RequestParam(defaultValue = "50") int size,
                 Model model) {
        var user = CurrentUser.get();
        // Each entry says by which threshold of the round's model it got its level (or that policy set it).
        Rounds.RoundView shownRound = rounds.round(user, Rounds.RoundId.of(id));
        Map<String, Double> bandMin = new LinkedHashMap<>();
        models.bands(shownRound.modelVersion()).forEach(b -> bandMin.put(b.level(), b.min()));
        model.addAttribute("bandMin", bandMin);
        if (Boolean.TRUE.equals(confirmReset) && !model.containsAttribute("confirmReset")) {
            // Back from a re-run that ran in the background and stopped to ask: the box to tick is offered.
            model.addAttribute("confirmReset", true);
        }
        model.addAttribute("round", rounds.round(user, Rounds.RoundId.of(id)));
        model.addAttribute("progress", rounds.progress(user, Rounds.RoundId.of(id)));
        List<Rounds.TaskView> tasks = rounds.tasks(user, Rounds.RoundId.of(id));
        // A county sees hundreds of units: one step at a time, the ones that need someone first.
        boolean manySteps = tasks.stream().map(Rounds.TaskView::step).distinct().count() > 2;
        Rounds.Step shown = step;
        if (manySteps && shown == null) {
            shown = tasks.stream().filter(t -> t.status() != Rounds.TaskStatus.DONE).map(Rounds.TaskView::step)
                    .min(Comparator.naturalOrder()).orElse(Rounds.Step.CENTER);
        }
        Rounds.Step filter = manySteps ? shown : null;
        model.addAttribute("tasks", tasks.stream().filter(t -> filter == null || t.step() == filter)
                .sorted(Comparator.comparingInt(RoundController::urgency)).toList());
        model.addAttribute("stepTabs", manySteps);
        model.addAttribute("shownStep", filter);
        model.addAttribute("summary", rounds.summary(user, Rounds.RoundId.of(id)));
        model.addAttribute("changes", rounds.changes(user, Rounds.RoundId.of(id)));
        model.addAttribute("sort", sort == null ? "" : sort);
        model.addAttribute("pageSizes", PAGE_SIZES);
        int rows = PAGE_SIZES.contains(size) ? size : 50;
        model.addAttribute("entries", rounds.entries(user, Rounds.RoundId.of(id), new Rounds.EntryQuery(source, level, null, q, sort),
                Math.max(page, 0), rows));
        model.addAttribute("source", source);
        model.addAttribute("level", level);
        model.addAttribute("q", q);
        return "identification/round";
    }

    private static int urgency(Rounds.TaskView t) {
        if (t.mayComplete() || t.maySendBack()) {
            return 0;
        }
        return switch (t.status()) {
            case RETURNED -> 1;
            case PENDING -> 2;
            case DONE -> 3;
        };
    }

    @PostMapping("/identification/rounds/{id}/tasks/{taskId}/complete")
    String complete(@PathVariable long id, @PathVariable long taskId, @RequestParam int version,
                    @RequestParam(required = false) String remark, RedirectAttributes redirect, Locale locale) {
        return act(id, redirect, locale, "round.taskCompleted",
                () -> rounds.complete(CurrentUser.get(), Rounds.TaskId.of(taskId), version, remark));
    }

    @PostMapping("/identification/rounds/{id}/tasks/{taskId}/return")
    String sendBack(@PathVariable long id, @PathVariable long taskId, @RequestParam int version,
                    @RequestParam(required = false) String reason, RedirectAttributes redirect, Locale locale) {
        return act(id, redirect, locale, "round.taskReturned",
                () -> rounds.sendBack(CurrentUser.get(), Rounds.TaskId.of(taskId), version, reason));
    }

    @PostMapping("/identification/rounds/{id}/rerun")
    String rerun(@PathVariable long id, @RequestParam int version,
                 @RequestParam(defaultValue = "false") boolean confirmReset, RedirectAttributes redirect, Locale locale) {
        Rounds.Rerun[] done = new Rounds.Rerun[1];
        boolean[] askConfirmation = {false};
        Jobs.Job[] job = new Jobs.Job[1];
        String error = refusals.attempt(() -> {
            try {
                job[0] = startRerun(id, version, confirmReset, locale);
                answers.ui(job[0]).ifPresent(v -> done[0] = (Rounds.Rerun) v);
            } catch (RuleViolationException e) {
                askConfirmation[0] = "round.rule.resetNeedsConfirm".equals(e.messageKey());
                throw e;
            }
        }, locale);
        if (error == null && done[0] == null) {
            return answers.page(job[0]);
        }
        if (error != null) {
            redirect.addFlashAttribute("error", error);
            // The refusal names the units; the form comes back with the confirmation to tick.
            redirect.addFlashAttribute("confirmReset", askConfirmation[0]);
        } else {
            var reset = done[0].resetUnits();
            redirect.addFlashAttribute("done", reset.isEmpty() ? messages.getMessage("round.rerunKept", null, locale)
                    : messages.getMessage("round.rerunReset", new Object[]{reset.size(),
                    String.join(messages.getMessage("list.separator", null, locale), reset)}, locale));
        }
        return "redirect:/identification/rounds/" + id;
    }

    @PostMapping("/identification/rounds/{id}/withdraw-notice")
    String withdraw(@PathVariable long id, @RequestParam int version, @RequestParam(required = false) String reason,
                    RedirectAttributes redirect, Locale locale) {
        return act(id, redirect, locale, "round.noticeWithdrawn",
                () -> rounds.withdrawNotice(CurrentUser.get(), Rounds.RoundId.of(id), version, reason));
    }

    @PostMapping("/identification/rounds/{id}/finish")
    String finish(@PathVariable long id, @RequestParam int version, RedirectAttributes redirect, Locale locale) {
        return act(id, redirect, locale, "round.finished", () -> rounds.finish(CurrentUser.get(), Rounds.RoundId.of(id), version));
    }

    /**
     * A round is created as a job keyed by the center's area (the area its linkage runs over): a second create,
     * re-run or linkage run of that center while one runs is refused (each rewrites the area's links and status).
     */
    private Jobs.Job startCreate(Rounds.NewRound nr, Locale locale) {
        CurrentUser user = CurrentUser.get();
        user.require(user.role() == Role.CENTER);
        var request = new Jobs.Request("round", "area:" + user.scope().code(),
                messages.getMessage("job.title.roundCreate", new Object[]{nr.name()}, locale), null,
                "/identification/rounds");
        return jobs.start(request, progress -> {
            Rounds.RoundView r = rounds.create(user, nr);
            return new Jobs.Outcome("/identification/rounds/" + r.id(),
                    "/api/v1/identification/rounds/" + r.id(),
                    messages.getMessage("job.summary.round", new Object[]{r.name(), r.scopeName()}, locale), r);
        });
    }

    private Jobs.Job startRerun(long id, int version, boolean confirmReset, Locale locale) {
        CurrentUser user = CurrentUser.get();
        user.require(user.role() == Role.CENTER);
        Rounds.RoundView round = rounds.round(user, Rounds.RoundId.of(id));
        var request = new Jobs.Request("round", "area:" + user.scope().code(),
                messages.getMessage("job.title.roundRerun", new Object[]{round.name()}, locale),
                "/identification/rounds/" + id, "/identification/rounds/" + id + "?confirmReset=true");
        return jobs.start(request, progress -> {
            Rounds.Rerun r = rounds.rerun(user, Rounds.RoundId.of(id), version, confirmReset);
            return new Jobs.Outcome(null, "/api/v1/identification/rounds/" + id,
                    messages.getMessage("job.summary.round", new Object[]{round.name(), round.scopeName()}, locale), r);
        });
    }

    /** Runs a transition and reports its outcome on the round page; a broken rule is shown, nothing is lost. */
    private String act(long id, RedirectAttributes redirect, Locale locale, String okKey, Runnable action) {
        String error = refusals.attempt(action, locale);
        redirect.addFlashAttribute(error == null ? "done" : "error",
                error == null ? messages.getMessage(okKey, null, locale) : error);
        return "redirect:/identification/rounds/" + id;
    }

    @GetMapping({"/identification/rounds/{id}/export", "/api/v1/identification/rounds/{id}/entries/export"})
    void export(@PathVariable long id, @RequestParam(required = false) Rounds.Source source,
                @RequestParam(required = false) String level, @RequestParam(required = false) String q,
                @RequestParam(required = false) String sort, HttpServletRequest request, HttpServletResponse response,
                Locale locale) throws IOException {
        var user = CurrentUser.get();
        Rounds.RoundView round = rounds.round(user, Rounds.RoundId.of(id));
        String name = messages.getMessage(source == Rounds.Source.HARDSHIP ? "round.export.hardship"
                : "round.export.entries", null, locale);
        var query = new Rounds.EntryQuery(source, level, null, q, sort);
        long rows = rounds.entries(user, Rounds.RoundId.of(id), query, 0, 1).total();
        exports.send(request, response, new Exports.Export("round-" + id, rows,
                messages.getMessage("job.title.exportRound", new Object[]{round.name(), rows}, locale),
                "/identification/rounds/" + id, name + ".xlsx", Downloads.XLSX,
                out -> rounds.exportEntries(user, Rounds.RoundId.of(id), query, out, locale)));
    }

    // ------------------------------------------------------------------ API

    @GetMapping("/api/v1/identification/rounds")
    @ResponseBody
    List<Rounds.RoundView> apiList() {
        return rounds.list(CurrentUser.get());
    }

    @PostMapping("/api/v1/identification/rounds")
    @ResponseBody
    @Operation(summary = "Create an identification round: link, assess, classify, open dropout cases, diff. "
            + "Runs as a job: answers with the round when it ends within a few seconds, else 202 with the job's URL "
            + "(at once with 'Prefer: respond-async').")
    ResponseEntity<Object> apiCreate(@RequestBody Rounds.NewRound body, Locale locale,
                                                              HttpServletRequest request) {
        return answers.api(startCreate(body, locale), request, v -> v);
    }

    @GetMapping("/api/v1/identification/rounds/{id}")
    @ResponseBody
    Map<String, Object> apiRound(@PathVariable long id) {
        var user = CurrentUser.get();
        return Map.of("round", rounds.round(user, Rounds.RoundId.of(id)), "progress", rounds.progress(user, Rounds.RoundId.of(id)),
                "summary", rounds.summary(user, Rounds.RoundId.of(id)));
    }

    @GetMapping("/api/v1/identification/rounds/{id}/tasks")
    @ResponseBody
    List<Rounds.TaskView> apiTasks(@PathVariable long id) {
        return rounds.tasks(CurrentUser.get(), Rounds.RoundId.of(id));
    }

    @GetMapping("/api/v1/identification/rounds/{id}/entries")
    @ResponseBody
    Page<Rounds.EntryView> apiEntries(@PathVariable long id, @RequestParam(required = false) Rounds.Source source,
                                      @RequestParam(required = false) String level,
                                      @RequestParam(required = false) String schoolCode,
                                      @RequestParam(required = false) String sort,
                                      @RequestParam(defaultValue = "0") int page,
                                      @RequestParam(defaultValue = "100") int size) {
        return rounds.entries(CurrentUser.get(), Rounds.RoundId.of(id), new Rounds.EntryQuery(source, level, schoolCode, null, sort),
                Math.max(page, 0), Math.min(Math.max(size, 1), 1000));
    }

    @GetMapping("/api/v1/identification/rounds/{id}/changes")
    @ResponseBody
    List<Rounds.ChangeView> apiChanges(@PathVariable long id) {
        return rounds.changes(CurrentUser.get(), Rounds.RoundId.of(id));
    }

    record Decision(String remark, String reason) {
    }

    @PostMapping("/api/v1/identification/rounds/tasks/{taskId}/complete")
    @ResponseBody
    Rounds.TaskView apiComplete(@PathVariable long taskId, @RequestParam int version,
                                @RequestBody(required = false) Decision body) {
        return rounds.complete(CurrentUser.get(), Rounds.TaskId.of(taskId), version, body == null ? null : body.remark());
    }

    @PostMapping("/api/v1/identification/rounds/tasks/{taskId}/return")
    @ResponseBody
    Rounds.TaskView apiReturn(@PathVariable long taskId, @RequestParam int version,
                              @RequestBody(required = false) Decision body) {
        return rounds.sendBack(CurrentUser.get(), Rounds.TaskId.of(taskId), version, body == null ? null : body.reason());
    }

    @PostMapping("/api/v1/identification/rounds/{id}/rerun")
    @ResponseBody
    ResponseEntity<Object> apiRerun(@PathVariable long id, @RequestParam int version,
                                                             @RequestParam(defaultValue = "false") boolean confirmReset,
                                                             Locale locale,
                                                             HttpServletRequest request) {
        return answers.api(startRerun(id, version, confirmReset, locale), request, v -> v);
    }

    @PostMapping("/api/v1/identification/rounds/{id}/withdraw-notice")
    @ResponseBody
    Rounds.RoundView apiWithdraw(@PathVariable long id, @RequestParam int version,
                                 @RequestBody(required = false) Decision body) {
        return rounds.withdrawNotice(CurrentUser.get(), Rounds.RoundId.of(id), version, body == null ? null : body.reason());
    }

    @PostMapping("/api/v1/identification/rounds/{id}/finish")
    @ResponseBody
    Rounds.RoundView apiFinish(@PathVariable long id, @RequestParam int version) {
        return rounds.finish(CurrentUser.get(), Rounds.RoundId.of(id), version);
    }
}
