package org.fuzhi.identification.web;

import org.fuzhi.identification.Rounds;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;

/** 公示 — open to anyone without signing in, and only while a notice is up; the list is masked. */
@Controller
class PublicNoticeController {

    private final Rounds rounds;

    PublicNoticeController(Rounds rounds) {
        this.rounds = rounds;
    }

    @GetMapping("/public/notices")
    String list(Model model) {
        model.addAttribute("notices", rounds.currentNotices());
        return "public/notices";
    }

    @GetMapping("/public/notices/{id}")
    ModelAndView notice(@PathVariable long id, @RequestParam(defaultValue = "0") int page) {
        return rounds.publicNotice(id, Math.max(page, 0), 100)
                .map(p -> new ModelAndView("public/notice", java.util.Map.of("notice", p.notice(), "lines", p.lines())))
                .orElseGet(() -> {
                    ModelAndView mv = new ModelAndView("public/notice-down");
                    mv.setStatus(HttpStatus.NOT_FOUND);
                    return mv;
                });
    }
}
