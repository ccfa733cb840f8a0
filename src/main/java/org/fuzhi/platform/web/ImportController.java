package org.fuzhi.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Downloads;
import org.fuzhi.platform.ImportKind;
import org.fuzhi.platform.Imports;
import org.fuzhi.platform.JobAnswers;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.springframework.context.MessageSource;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

@Controller
class ImportController {

    private final Imports imports;
    private final MessageSource messages;
    private final Jobs jobs;
    private final JobAnswers answers;

    ImportController(Imports imports, MessageSource messages, Jobs jobs,
                     JobAnswers answers) {
        this.imports = imports;
        this.messages = messages;
        this.jobs = jobs;
        this.answers = answers;
    }

    @GetMapping("/imports")
    String page(Model model) {
        CurrentUser user = CurrentUser.get();
        user.require(user.role().mayImport() || user.role() == Role.VILLAGE);
        model.addAttribute("kinds", kindsFor(CurrentUser.get()));
        model.addAttribute("recent", imports.recent(20));
        return "platform/imports";
    }

    /**
     * The file runs as a job. A small one answers on this page as before; a large one sends the user to its
     * progress bar, which leads to {@code /imports/{id}} when it is done. A second start of the same import kind
     * into the same area while one runs is refused with who started it and how far it is.
     */
    @PostMapping("/imports")
    String upload(@RequestParam String kind, @RequestParam MultipartFile file,
                  @RequestParam(defaultValue = "false") boolean dryRun, Model model, Locale locale) throws IOException {
        model.addAttribute("kinds", kindsFor(CurrentUser.get()));
        model.addAttribute("selectedKind", kind);
        try {
            Jobs.Job job = start(kind, file, dryRun, locale);
            var value = answers.ui(job);
            if (value.isEmpty()) {
                return answers.page(job);
            }
            model.addAttribute("result", value.get());
        } catch (RuleViolationException e) {
            model.addAttribute("commitError", messages.getMessage(e.messageKey(), e.args(), locale));
        }
        model.addAttribute("recent", imports.recent(20));
        return "platform/imports";
    }

    /** An import's result page (where a job that ran in the background leads). */
    @GetMapping("/imports/{id}")
    String result(@PathVariable String id, Model model) {
        Imports.Result r = imports.result(id).orElseThrow(() -> new NotFoundException("import"));
        model.addAttribute("result", r);
        model.addAttribute("selectedKind", r.kind());
        model.addAttribute("kinds", kindsFor(CurrentUser.get()));
        model.addAttribute("recent", imports.recent(20));
        return "platform/imports";
    }

    /** The rows of a dry run imported without choosing the file again. */
    @PostMapping("/imports/{id}/commit")
    String commit(@PathVariable String id, Locale locale,
                  RedirectAttributes redirect) {
        // Answered with a redirect: reloading the result page must not post the import again.
        try {
            Jobs.Job job = startCommit(id, locale);
            var value = answers.ui(job);
            if (value.isEmpty()) {
                return answers.page(job);
            }
            Imports.Result r = (Imports.Result) value.get();
            return "redirect:/imports/" + r.importId();
        } catch (RuleViolationException e) {
            redirect.addFlashAttribute("commitError", messages.getMessage(e.messageKey(), e.args(), locale));
        } catch (Imports.RefusedException e) {
            redirect.addFlashAttribute("commitError", e.getMessage());
        }
        return "redirect:/imports";
    }

    @PostMapping("/api/v1/imports/{id}/commit")
    @ResponseBody
    ResponseEntity<Object> apiCommit(@PathVariable String id, Locale locale,
                                                              HttpServletRequest request) {
        return answers.api(startCommit(id, locale), request, v -> body((Imports.Result) v));
    }

    private Jobs.Job startCommit(String dryRunId, Locale locale) {
        // Someone else's dry run is refused as the import itself refuses it (403), before a job is made.
        Imports.Summary dry = imports.find(dryRunId).orElseThrow(() ->
                new AccessDeniedException("not your import"));
        String kindName = messages.getMessage("import.kind." + dry.kind(), null, locale);
        var request = new Jobs.Request("import", "import-commit:" + dryRunId,
                messages.getMessage("job.title.importCommit", new Object[]{kindName, dry.originalFilename()}, locale),
                null, "/imports");
        return jobs.start(request, progress -> outcome(imports.commit(dryRunId, locale), locale));
    }

    @GetMapping({"/imports/{id}/errors.xlsx", "/api/v1/imports/{id}/errors.xlsx"})
    void errorReport(@PathVariable String id, HttpServletResponse response, Locale locale) throws IOException {
        Downloads.prepare(response, Downloads.XLSX, messages.getMessage("import.report.filename", null, locale) + ".xlsx");
        imports.writeErrorReport(id, response.getOutputStream(), locale);
    }

    @GetMapping({"/imports/{kind}/template", "/api/v1/imports/{kind}/template"})
    void template(@PathVariable String kind, @RequestParam(defaultValue = "xlsx") String format,
                  HttpServletResponse response, Locale locale) throws IOException {
        ImportKind k = imports.kind(kind).orElseThrow(() -> new NotFoundException("import kind"));
        boolean csv = "csv".equalsIgnoreCase(format);
        String name = messages.getMessage("import.kind." + kind, null, locale)
                + messages.getMessage("import.template.suffix", null, locale) + (csv ? ".csv" : ".xlsx");
        Downloads.prepare(response, csv ? "text/csv;charset=UTF-8" : Downloads.XLSX, name);
        imports.writeTemplate(k, csv, response.getOutputStream(), locale);
    }

    /** Answers with the import's result when it ends within a few seconds, otherwise 202 and the job's URL. */
    @PostMapping("/api/v1/imports/{kind}")
    @ResponseBody
    ResponseEntity<Object> api(@PathVariable String kind, @RequestParam MultipartFile file,
                                                        @RequestParam(defaultValue = "false") boolean dryRun,
                                                        Locale locale, HttpServletRequest request)
            throws IOException {
        return answers.api(start(kind, file, dryRun, locale), request, v -> body((Imports.Result) v));
    }

    private static Map<String, Object> body(Imports.Result r) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("importId", r.importId());
        body.put("dryRun", r.dryRun());
        body.put("accepted", r.accepted());
        body.put("rejected", r.rejected());
        body.put("errors", r.errors());
        body.put("errorsTruncated", r.errorsTruncated());
        body.put("notes", r.notes());
        body.put("errorReport", "/api/v1/imports/" + r.importId() + "/errors.xlsx");
        return body;
    }

    /** The import's record with its result as the import answered it (where a job's API URL leads). */
    @GetMapping("/api/v1/imports/{kind}/{id}")
    @ResponseBody
    Map<String, Object> apiSummary(@PathVariable String kind, @PathVariable String id) {
        Imports.Summary s = imports.find(id).orElseThrow(() -> new NotFoundException("import"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("importId", s.importId());
        out.put("kind", s.kind());
        out.put("originalFilename", s.originalFilename());
        out.put("dryRun", s.dryRun());
        out.put("status", s.status());
        out.put("accepted", s.accepted());
        out.put("rejected", s.rejected());
        out.put("message", s.message());
        out.put("createdBy", s.createdBy());
        out.put("createdAt", s.createdAt());
        imports.result(id).ifPresent(r -> {
            out.put("errors", r.errors());
            out.put("errorsTruncated", r.errorsTruncated());
            out.put("notes", r.notes());
        });
        out.put("errorReport", "/api/v1/imports/" + id + "/errors.xlsx");
        return out;
    }

    /** Only the kinds the user may import are offered. */
    private List<ImportKind> kindsFor(CurrentUser user) {
        return imports.kinds().stream().filter(k -> k.mayImport(user.role())).toList();
    }

    /**
     * Starts the import as a job. The key is the kind and the importer's area: two imports of one kind into one
     * area at once would fight over the same rows (a roster replaces the area's roster). A dry run writes nothing
     * and is keyed by its file, so only a double click of the same file is refused.
     */
    private Jobs.Job start(String kind, MultipartFile file, boolean dryRun, Locale locale)
            throws IOException {
        ImportKind k = imports.kind(kind).orElseThrow(() -> new NotFoundException("import kind"));
        CurrentUser user = CurrentUser.get();
        // Before a byte is written to disk: a role that may not import this kind gets 403 and leaves nothing behind.
        user.require(k.mayImport(user.role()));
        Path tmp = Files.createTempFile("fuzhi-import-", ".upload");
        file.transferTo(tmp);
        String name = file.getOriginalFilename();
        String area = user.scope().type() + ":" + user.scope().code();
        String key = dryRun ? "import-dry:" + kind + ":" + user.username() + ":" + name + ":" + file.getSize()
                : "import:" + kind + ":" + area;
        String kindName = messages.getMessage("import.kind." + kind, null, locale);
        var request = new Jobs.Request("import", key,
                messages.getMessage(dryRun ? "job.title.importDryRun" : "job.title.import",
                        new Object[]{kindName, name}, locale), null, "/imports");
        try {
            return jobs.start(request, progress -> {
                try {
                    return outcome(imports.run(kind, tmp, name, dryRun, locale), locale);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            });
        } catch (RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private Jobs.Outcome outcome(Imports.Result r, Locale locale) {
        return new Jobs.Outcome("/imports/" + r.importId(),
                "/api/v1/imports/" + r.kind() + "/" + r.importId(),
                messages.getMessage("job.summary.import", new Object[]{r.accepted(), r.rejected()}, locale), r);
    }
}
