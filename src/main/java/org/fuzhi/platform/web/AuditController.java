package org.fuzhi.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.fuzhi.common.Page;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Downloads;
import org.fuzhi.platform.Exports;
import org.fuzhi.platform.JobAnswers;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.Xlsx;
import org.springframework.context.MessageSource;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

@Controller
class AuditController {

    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private final AuditLog audit;
    private final AuditView view;
    private final MessageSource messages;
    private final Exports exports;
    private final Jobs jobs;
    private final JobAnswers answers;

    AuditController(AuditLog audit, AuditView view, MessageSource messages,
                    Exports exports, Jobs jobs, JobAnswers answers) {
        this.exports = exports;
        this.jobs = jobs;
        this.answers = answers;
        this.audit = audit;
        this.view = view;
        this.messages = messages;
    }

    private static final List<Integer> PAGE_SIZES = List.of(20, 50, 100);

    @GetMapping("/audit")
    String page(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
                @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
                @RequestParam(defaultValue = "0") int page, @RequestParam(required = false) String sort,
                @RequestParam(defaultValue = "50") int size, Model model, Locale locale) {
        CurrentUser.get().require(CurrentUser.get().role().mayReadAudit());
        actor = actor == null || actor.isBlank() ? null : actor.strip();
        action = action == null || action.isBlank() ? null : action;
        int rows = PAGE_SIZES.contains(size) ? size : 50;
        Instant start = from == null ? null : from.atStartOfDay(ZONE).toInstant();
        Instant end = to == null ? null : to.plusDays(1).atStartOfDay(ZONE).toInstant();
        long total = audit.count(new AuditLog.Query(actor, action, start, end, 0, rows));
        // A page past the end (the filter narrowed since the link was made) shows the last page.
        int shown = Page.clamp(Math.max(page, 0), total, rows);
        var events = audit.search(new AuditLog.Query(actor, action, start, end, shown, rows, sort));
        List<AuditView.Row> shownRows = view.rows(events, locale);
        model.addAttribute("events", shownRows);
        model.addAttribute("result", new Page<>(shownRows, total, shown, rows));
        model.addAttribute("pageSizes", PAGE_SIZES);
        model.addAttribute("sort", sort == null ? "" : sort);
        model.addAttribute("actions", view.actions(locale));
        model.addAttribute("page", page);
        model.addAttribute("actor", actor);
        model.addAttribute("action", action);
        model.addAttribute("from", from);
        model.addAttribute("to", to);
        return "audit/list";
    }

    /**
     * Walks the whole hash chain. A province's log holds millions of events, so the walk is a job: its result is
     * shown here when it ends within the page's wait, else on the job's page (the summary says the same in words).
     */
    @PostMapping("/audit/verify")
    String verify(Model model, Locale locale) {
        Jobs.Job job = startVerification(locale);
        var value = answers.ui(job);
        if (value.isEmpty()) {
            return answers.page(job);
        }
        model.addAttribute("check", value.get());
        return "audit/verify";
    }

    /** The user's verification: a new one, or the one already running (a second click follows it). */
    private Jobs.Job startVerification(Locale locale) {
        CurrentUser user = CurrentUser.get();
        user.require(user.role().mayReadAudit());
        try {
            return jobs.start(new Jobs.Request("audit-verify", "audit-verify:" + user.username(),
                    messages.getMessage("job.title.auditVerify", null, locale), null, "/audit"), progress -> {
                        progress.phase("job.phase.auditVerify");
                        AuditLog.ChainCheck c = audit.verify();
                        String summary = c.behindCheckpoint()
                                ? messages.getMessage("audit.behindCheckpoint", new Object[]{c.checkpointId(),
                                c.checked()}, locale)
                                : c.intact() ? messages.getMessage("audit.intact", new Object[]{c.checked()}, locale)
                                : messages.getMessage("audit.broken", new Object[]{c.firstBrokenId(), c.checked()},
                                locale);
                        return new Jobs.Outcome(null, null, summary, c);
                    });
        } catch (Jobs.AlreadyRunningException e) {
            return e.running();
        }
    }

    @GetMapping("/api/v1/audit-events")
    @ResponseBody
    Map<String, Object> api(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
                            @RequestParam(required = false) Instant from, @RequestParam(required = false) Instant to,
                            @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
        CurrentUser.get().require(CurrentUser.get().role().mayReadAudit());
        List<AuditLog.Event> events = audit.search(new AuditLog.Query(actor, action, from, to, Math.max(page, 0),
                Math.min(Math.max(size, 1), 500)));
        return Map.of("page", page, "items", events);
    }

    /**
     * The filtered log as .xlsx for auditors; the export itself is recorded. A county's log grows by thousands of
     * events a day, so a long one is written by a job like the other exports.
     */
    @GetMapping({"/audit/export", "/api/v1/audit-events/export"})
    void export(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
                @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
                @RequestParam(required = false) String sort, HttpServletRequest request, HttpServletResponse response,
                Locale locale) throws IOException {
        CurrentUser.get().require(CurrentUser.get().role().mayReadAudit());
        // The export keeps the order the list shows.
        var query = new AuditLog.Query(actor, action, from == null ? null : from.atStartOfDay(ZONE).toInstant(),
                to == null ? null : to.plusDays(1).atStartOfDay(ZONE).toInstant(), 0, 0, sort);
        long rows = audit.count(query);
        String returnUrl = "/audit" + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        exports.send(request, response, new Exports.Export("audit", rows,
                messages.getMessage("job.title.exportAudit", new Object[]{rows}, locale), returnUrl,
                messages.getMessage("audit.export.filename", null, locale) + ".xlsx",
                Downloads.XLSX, out -> write(query, rows, out, locale)));
    }

    private void write(AuditLog.Query query, long total, OutputStream out, Locale locale)
            throws IOException {
        List<String> header = Stream.of("id", "time", "actor", "role", "action", "target", "scope",
                "details", "ip").map(k -> messages.getMessage("audit.column." + k, null, locale)).toList();
        var format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZONE);
        var progress = Jobs.progress();
        progress.total(total);
        long[] n = {0};
        try (Xlsx x = new Xlsx(out,
                messages.getMessage("audit.title", null, locale), header)) {
            // Named a chunk at a time: one look-up per target type and chunk, not per row.
            List<AuditLog.Event> chunk = new ArrayList<>();
            Runnable flush = () -> {
                for (AuditView.Row r : view.rows(chunk, locale)) {
                    x.row(Arrays.asList(String.valueOf(r.id()), format.format(r.occurredAt()), r.actor(),
                            r.role(), r.action(), r.target(), r.scope(), r.detailsText(), r.clientIp()));
                    n[0]++;
                }
                chunk.clear();
                progress.done(n[0]);
            };
            audit.forEach(query, e -> {
                chunk.add(e);
                if (chunk.size() == 500) {
                    flush.run();
                }
            });
            flush.run();
        }
        // The filters in use only: an empty one is no filter, not the word "null".
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("rows", n[0]);
        if (query.actor() != null && !query.actor().isBlank()) {
            details.put("actor", query.actor().strip());
        }
        if (query.action() != null && !query.action().isBlank()) {
            details.put("action", query.action().strip());
        }
        audit.record("EXPORT", "audit-events", null, details);
    }

    @GetMapping("/api/v1/audit-events/verify")
    @ResponseBody
    ResponseEntity<Object> apiVerify(HttpServletRequest request,
                                                              Locale locale) {
        return answers.api(startVerification(locale), request, v -> v);
    }
}
