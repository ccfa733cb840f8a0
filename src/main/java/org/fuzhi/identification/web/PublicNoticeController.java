package org.fuzhi.identification.web;

import io.swagger.v3.oas.annotations.Operation;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.identification.Notices;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Refusals;
import org.springframework.context.MessageSource;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * 公示 — open to anyone without signing in, and only while a notice is up; the list is masked. A village prints
 * its own list for its notice board on A4.
 */
@Controller
class PublicNoticeController {

    private final Notices notices;
    private final MessageSource messages;
    private final Refusals refusals;

    PublicNoticeController(Notices notices, MessageSource messages, Refusals refusals) {
        this.notices = notices;
        this.messages = messages;
        this.refusals = refusals;
    }

    @GetMapping("/public/notices")
    String list(Model model) {
        model.addAttribute("notices", notices.current());
        return "public/notices";
    }

    @GetMapping("/public/notices/{id}")
    ModelAndView notice(@PathVariable long id, @RequestParam(required = false) String village,
                        @RequestParam(defaultValue = "0") int page) {
        return notices.notice(id, village, Math.max(page, 0), 100)
                .map(p -> new ModelAndView("public/notice", Map.of("notice", p.notice(), "lines", p.lines(),
                        "villages", p.villages(), "village", p.village() == null ? "" : p.village(),
                        "villageName", p.villageName() == null ? "" : p.villageName())))
                .orElseGet(() -> {
                    ModelAndView mv = new ModelAndView("public/notice-down");
                    mv.setStatus(HttpStatus.NOT_FOUND);
                    return mv;
                });
    }

    @GetMapping("/api/v1/identification/notice-contact")
    @ResponseBody
    @Operation(summary = "The issuing body, hotline and address the user's aid center prints on its public notices")
    Notices.Contact apiContact() {
        return notices.contact(CurrentUser.get());
    }

    @PutMapping("/api/v1/identification/notice-contact")
    @ResponseBody
    @Operation(summary = "Set the issuing body, hotline and address of the user's aid center's public notices (CENTER)")
    Notices.Contact apiSaveContact(@RequestBody Notices.ContactEdit body) {
        return notices.saveContact(CurrentUser.get(), body);
    }

    /** The center sets who issues its notices and where objections go (on the rounds page). */
    @PostMapping("/identification/notice-contact")
    String saveContact(@RequestParam String issuer, @RequestParam String phone, @RequestParam String address,
                       RedirectAttributes redirect, Locale locale) {
        String error = refusals.attempt(() -> notices.saveContact(CurrentUser.get(),
                new Notices.ContactEdit(issuer, phone, address)), locale);
        if (error != null) {
            redirect.addFlashAttribute("contactError", error);
        } else {
            redirect.addFlashAttribute("done", messages.getMessage("notice.contactSaved", null, locale));
        }
        return "redirect:/identification/rounds#notice-contact";
    }
}
