package org.fuzhi.platform.web;

import jakarta.servlet.http.HttpSession;
import org.fuzhi.platform.internal.LoginThrottledException;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.web.WebAttributes;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

@Controller
class LoginController {

    @GetMapping("/login")
    String login(HttpSession session, Model model) {
        Object ex = session.getAttribute(WebAttributes.AUTHENTICATION_EXCEPTION);
        if (ex instanceof LoginThrottledException locked) {
            model.addAttribute("errorKey", "login.throttled");
            model.addAttribute("errorArg", locked.minutes());
        } else if (ex instanceof DisabledException) {
            model.addAttribute("errorKey", "login.disabled");
        } else if (ex != null) {
            model.addAttribute("errorKey", "login.failed");
        }
        return "login";
    }
}
