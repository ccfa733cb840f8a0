package org.fuzhi.platform.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Downloads;
import org.fuzhi.platform.ImportKind;
import org.fuzhi.platform.Imports;
import org.fuzhi.platform.NotFoundException;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.multipart.MultipartFile;

@Controller
class ImportController {

    private final Imports imports;
    private final MessageSource messages;

    ImportController(Imports imports, MessageSource messages) {
        this.imports = imports;
        this.messages = messages;
    }

    @GetMapping("/imports")
    String page(Model model) {
        CurrentUser user = CurrentUser.get();
        user.require(user.role().mayImport() || user.role() == org.fuzhi.platform.Role.VILLAGE);
        model.addAttribute("kinds", kindsFor(CurrentUser.get()));
        model.addAttribute("recent", imports.recent(20));
        return "platform/imports";
    }

    @PostMapping("/imports")
    String upload(@RequestParam String kind, @RequestParam MultipartFile file,
                  @RequestParam(defaultValue = "false") boolean dryRun, Model model, Locale locale) throws IOException {
        model.addAttribute("result", run(kind, file, dryRun, locale));
        model.addAttribute("kinds", kindsFor(CurrentUser.get()));
        model.addAttribute("recent", imports.recent(20));
        model.addAttribute("selectedKind", kind);
        return "platform/imports";
    }

    /** The rows of a dry run imported without choosing the file again. */
    @PostMapping("/imports/{id}/commit")
    String commit(@PathVariable String id, Locale locale,
                  org.springframework.web.servlet.mvc.support.RedirectAttributes redirect) {
        // Answered with a redirect: reloading the result page must not post the import again.
        try {
            Imports.Result r = imports.commit(id, locale);
            redirect.addFlashAttribute("result", r);
            redirect.addFlashAttribute("selectedKind", r.kind());
        } catch (org.fuzhi.platform.RuleViolationException e) {
            redirect.addFlashAttribute("commitError", messages.getMessage(e.messageKey(), e.args(), locale));
        } catch (Imports.RefusedException e) {
            redirect.addFlashAttribute("commitError", e.getMessage());
        }
        return "redirect:/imports";
    }

    @PostMapping("/api/v1/imports/{id}/commit")
    @ResponseBody
    Map<String, Object> apiCommit(@PathVariable String id, Locale locale) {
        return body(imports.commit(id, locale));
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

    @PostMapping("/api/v1/imports/{kind}")
    @ResponseBody
    Map<String, Object> api(@PathVariable String kind, @RequestParam MultipartFile file,
                            @RequestParam(defaultValue = "false") boolean dryRun, Locale locale) throws IOException {
        return body(run(kind, file, dryRun, locale));
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

    @GetMapping("/api/v1/imports/{kind}/{id}")
    @ResponseBody
    Imports.Summary apiSummary(@PathVariable String kind, @PathVariable String id) {
        return imports.find(id).orElseThrow(() -> new NotFoundException("import"));
    }

    /** Only the kinds the user may import are offered. */
    private java.util.List<ImportKind> kindsFor(CurrentUser user) {
        return imports.kinds().stream().filter(k -> k.mayImport(user.role())).toList();
    }

    private Imports.Result run(String kind, MultipartFile file, boolean dryRun, Locale locale) throws IOException {
        ImportKind k = imports.kind(kind).orElseThrow(() -> new NotFoundException("import kind"));
        // Before a byte is written to disk: a role that may not import this kind gets 403 and leaves nothing behind.
        CurrentUser.get().require(k.mayImport(CurrentUser.get().role()));
        Path tmp = Files.createTempFile("fuzhi-import-", ".upload");
        try {
            file.transferTo(tmp);
            return imports.run(kind, tmp, file.getOriginalFilename(), dryRun, locale);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
