package org.fuzhi.identification.web;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import org.fuzhi.common.Page;
import org.fuzhi.identification.Cases;
import org.fuzhi.identification.SchoolAgeCheck;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Refusals;
import org.springframework.context.MessageSource;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** 控辍保学: the three registers (school-age children, suspected dropouts, dropouts) and each case's visits. */
@Controller
class DropoutController {

    private final SchoolAgeCheck check;
    private final Cases cases;
    private final MessageSource messages;
    private final Refusals refusals;

    DropoutController(SchoolAgeCheck check, Cases cases, MessageSource messages, Refusals refusals) {
        this.check = check;
        this.cases = cases;
        this.messages = messages;
        this.refusals = refusals;
    }

    @GetMapping("/identification/dropouts")
    String page(@RequestParam(defaultValue = "SUSPECTED") String tab, @RequestParam(defaultValue = "0") int page,
                Model model) {
        var user = CurrentUser.get();
        model.addAttribute("tab", tab);
        if ("REGISTER".equals(tab)) {
            model.addAttribute("children", cases.schoolAgeRegister(user));
        } else {
            Cases.Status status = Cases.Status.valueOf(tab);
            model.addAttribute("cases", cases.cases(user, status, Math.max(page, 0), 50));
        }
        return "identification/dropouts";
    }

    @GetMapping("/identification/cases/{id}")
    String detail(@PathVariable long id, Model model) {
        model.addAttribute("detail", cases.detail(CurrentUser.get(), id));
        model.addAttribute("today", LocalDate.now(ZoneId.of("Asia/Shanghai")));
        return "identification/case";
    }

    @PostMapping("/identification/cases/{id}/visits")
    String visit(@PathVariable long id, @RequestParam int version,
                 @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate visitedOn,
                 @RequestParam(required = false) String visitors, @RequestParam(required = false) String notes,
                 @RequestParam(required = false) Cases.VisitOutcome outcome, RedirectAttributes redirect,
                 Locale locale) {
        return act(id, redirect, locale, "case.visitLogged", () -> cases.logVisit(CurrentUser.get(), id, version,
                new Cases.NewVisit(visitedOn, visitors, notes, outcome)), visitors, notes);
    }

    @PostMapping("/identification/cases/{id}/confirm")
    String confirm(@PathVariable long id, @RequestParam int version, RedirectAttributes redirect, Locale locale) {
        return act(id, redirect, locale, "case.confirmed", () -> cases.confirmDropout(CurrentUser.get(), id, version),
                null, null);
    }

    @PostMapping("/identification/cases/{id}/close")
    String close(@PathVariable long id, @RequestParam int version,
                 @RequestParam(required = false) Cases.CloseReason reason, @RequestParam(required = false) String note,
                 RedirectAttributes redirect, Locale locale) {
        return act(id, redirect, locale, "case.closedMessage",
                () -> cases.close(CurrentUser.get(), id, version, reason, note), null, note);
    }

    /** A refused entry comes back with what the user typed, so nothing is lost. */
    private String act(long id, RedirectAttributes redirect, Locale locale, String okKey, Runnable action,
                       String visitors, String notes) {
        String error = refusals.attempt(action, locale);
        if (error == null) {
            redirect.addFlashAttribute("done", messages.getMessage(okKey, null, locale));
        } else {
            redirect.addFlashAttribute("error", error);
            redirect.addFlashAttribute("typedVisitors", visitors);
            redirect.addFlashAttribute("typedNotes", notes);
        }
        return "redirect:/identification/cases/" + id;
    }

    // ------------------------------------------------------------------ API

    @GetMapping("/api/v1/identification/suspected-dropouts")
    @ResponseBody
    List<SchoolAgeCheck.Suspect> api() {
        return check.suspectedDropouts(CurrentUser.get());
    }

    @GetMapping("/api/v1/identification/school-age-register")
    @ResponseBody
    List<Cases.SchoolAgeChild> apiRegister() {
        return cases.schoolAgeRegister(CurrentUser.get());
    }

    @GetMapping("/api/v1/identification/cases")
    @ResponseBody
    Page<Cases.CaseView> apiCases(@RequestParam(required = false) Cases.Status status,
                                  @RequestParam(defaultValue = "0") int page,
                                  @RequestParam(defaultValue = "100") int size) {
        return cases.cases(CurrentUser.get(), status, Math.max(page, 0), Math.min(Math.max(size, 1), 1000));
    }

    @GetMapping("/api/v1/identification/cases/{id}")
    @ResponseBody
    Cases.CaseDetail apiCase(@PathVariable long id) {
        return cases.detail(CurrentUser.get(), id);
    }

    @PostMapping("/api/v1/identification/cases/{id}/visits")
    @ResponseBody
    Cases.CaseView apiVisit(@PathVariable long id, @RequestParam int version, @RequestBody Cases.NewVisit body) {
        return cases.logVisit(CurrentUser.get(), id, version, body);
    }

    @PostMapping("/api/v1/identification/cases/{id}/confirm")
    @ResponseBody
    Cases.CaseView apiConfirm(@PathVariable long id, @RequestParam int version) {
        return cases.confirmDropout(CurrentUser.get(), id, version);
    }

    record Closing(Cases.CloseReason reason, String note) {
    }

    @PostMapping("/api/v1/identification/cases/{id}/close")
    @ResponseBody
    Cases.CaseView apiClose(@PathVariable long id, @RequestParam int version, @RequestBody Closing body) {
        return cases.close(CurrentUser.get(), id, version, body.reason(), body.note());
    }
}
