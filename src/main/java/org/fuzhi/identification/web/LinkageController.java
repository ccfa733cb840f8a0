package org.fuzhi.identification.web;

import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.common.Page;
import org.fuzhi.identification.Linkage;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Downloads;
import org.fuzhi.platform.Exports;
import org.fuzhi.platform.JobAnswers;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.StaleEditException;
import org.fuzhi.region.Directory;
import org.springframework.context.MessageSource;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Roster linkage: run it, see how members were linked, and decide the pairs in the review queue. */
@Controller
class LinkageController {

    private final Linkage linkage;
    private final MessageSource messages;
    private final Jobs jobs;
    private final JobAnswers answers;

    private final Exports exports;
    private final Directory directory;

    LinkageController(Linkage linkage, MessageSource messages, Jobs jobs,
                      JobAnswers answers, Exports exports, Directory directory) {
        this.exports = exports;
        this.directory = directory;
        this.linkage = linkage;
        this.messages = messages;
        this.jobs = jobs;
        this.answers = answers;
    }

    /**
     * The run as a job keyed by the center's area, the same key a round of that center takes: a round links the
     * roster of the whole area first, and two runs over one area at once would write the same links.
     */
    private Jobs.Job start(Locale locale) {
        CurrentUser user = CurrentUser.get();
        user.require(user.role() == Role.CENTER);
        var request = new Jobs.Request("linkage", "area:" + user.scope().code(),
                messages.getMessage("job.title.linkage", null, locale), "/identification/linkage",
                "/identification/linkage");
        return jobs.start(request, progress -> {
            progress.phase("job.phase.linkage");
            Linkage.Stats st = linkage.run(user);
            return new Jobs.Outcome(null, "/api/v1/identification/linkage/stats",
                    messages.getMessage("job.summary.linkage", new Object[]{st.members(),
                            st.exact() + st.probabilistic() + st.clerical(), st.review(), st.unlinked()}, locale), st);
        });
    }

    @GetMapping("/identification/linkage")
    String page(@RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "0") int lpage,
                @RequestParam(required = false) Linkage.Decision decision, Model model) {
        var user = CurrentUser.get();
        model.addAttribute("links", linkage.links(user, new Linkage.LinkQuery(null, null, null, null, decision),
                lpage, 20));
        model.addAttribute("decisions", Linkage.Decision.values());
        model.addAttribute("decision", decision);
        model.addAttribute("stats", linkage.stats(user));
        var queue = linkage.reviewQueue(user, Math.max(page, 0), 20);
        model.addAttribute("queue", queue);
        // Villages by name with their township (12 townships have a 向阳村), never a bare code.
        List<String> villages = new ArrayList<>();
        queue.items().forEach(r -> {
            villages.add(r.rosterVillage());
            villages.add(r.personVillage());
        });
        model.addAttribute("placeNames", directory.placeNames(villages.stream().filter(v -> v != null
                && v.matches("\\d{12}")).distinct().toList()));
        model.addAttribute("weights", linkage.weights(user));
        return "identification/linkage";
    }

    @PostMapping("/identification/linkage/run")
    String run(RedirectAttributes redirect, Locale locale) {
        try {
            var job = start(locale);
            var value = answers.ui(job);
            if (value.isEmpty()) {
                return answers.page(job);
            }
            redirect.addFlashAttribute("ran", value.get());
        } catch (RuleViolationException e) {
            redirect.addFlashAttribute("error", messages.getMessage(e.messageKey(), e.args(), locale));
        }
        return "redirect:/identification/linkage";
    }

    @PostMapping("/identification/review/{id}")
    String decide(@PathVariable long id, @RequestParam int version, @RequestParam boolean accept,
                  RedirectAttributes redirect, Locale locale) {
        try {
            linkage.decide(CurrentUser.get(), id, version, accept);
            redirect.addFlashAttribute("decided", messages.getMessage(accept ? "linkage.accepted" : "linkage.rejected",
                    null, locale));
        } catch (StaleEditException e) {
            redirect.addFlashAttribute("error", messages.getMessage("linkage.stale", null, locale));
        }
        return "redirect:/identification/linkage";
    }

    @PostMapping("/api/v1/identification/linkage/run")
    @ResponseBody
    @Operation(summary = "Link the current poverty roster to registry persons (exact, then probabilistic)")
    ResponseEntity<Object> apiRun(Locale locale,
                                                           HttpServletRequest request) {
        return answers.api(start(locale), request, v -> v);
    }

    @GetMapping("/api/v1/identification/linkage/stats")
    @ResponseBody
    Linkage.Stats apiStats() {
        return linkage.stats(CurrentUser.get());
    }

    @GetMapping("/api/v1/identification/linkage/weights")
    @ResponseBody
    @Operation(summary = "The m/u probabilities and field weights of the last run (EM estimate or defaults)")
    Linkage.Weights apiWeights() {
        CurrentUser.get().require(CurrentUser.get().role() == Role.CENTER);
        return linkage.weights(CurrentUser.get());
    }

    @GetMapping("/api/v1/identification/review")
    @ResponseBody
    Page<Linkage.ReviewItem> apiQueue(@RequestParam(defaultValue = "0") int page,
                                      @RequestParam(defaultValue = "50") int size) {
        return linkage.reviewQueue(CurrentUser.get(), Math.max(page, 0), Math.min(Math.max(size, 1), 500));
    }

    @GetMapping("/api/v1/identification/links")
    @ResponseBody
    @Operation(summary = "Each current roster line with its decision, linked person, score and evidence per field")
    Page<Linkage.LinkView> apiLinks(@RequestParam(required = false) Long member,
                                    @RequestParam(required = false) Long person,
                                    @RequestParam(required = false) String household,
                                    @RequestParam(required = false) String village,
                                    @RequestParam(required = false) Linkage.Decision decision,
                                    @RequestParam(defaultValue = "0") int page,
                                    @RequestParam(defaultValue = "50") int size) {
        return linkage.links(CurrentUser.get(), new Linkage.LinkQuery(member, person, household, village, decision),
                page, Math.min(Math.max(size, 1), 500));
    }

    @GetMapping("/api/v1/identification/links.xlsx")
    void apiLinksExport(@RequestParam(required = false) Linkage.Decision decision,
                        @RequestParam(required = false) String village, Locale locale,
                        HttpServletRequest request,
                        HttpServletResponse response) throws IOException {
        CurrentUser user = CurrentUser.get();
        var query = new Linkage.LinkQuery(null, null, null, village, decision);
        // A province's roster is two million lines: a job when the client asks for one (Prefer: respond-async).
        long rows = linkage.links(user, query, 0, 1).total();
        exports.send(request, response, new Exports.Export("links", rows,
                messages.getMessage("job.title.exportLinks", new Object[]{rows}, locale), "/identification/linkage",
                "links.xlsx", Downloads.XLSX, out -> linkage.exportLinks(user, query, out, locale)));
    }

    @PostMapping("/api/v1/identification/review/{id}/{decision:accept|reject}")
    @ResponseBody
    ResponseEntity<Map<String, Object>> apiDecide(@PathVariable long id, @PathVariable String decision,
                                                  @RequestParam int version) {
        linkage.decide(CurrentUser.get(), id, version, decision.equals("accept"));
        return ResponseEntity.ok(Map.of("rosterMemberId", id, "decision", decision));
    }
}
