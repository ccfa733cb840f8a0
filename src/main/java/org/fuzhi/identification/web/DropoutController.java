package org.fuzhi.identification.web;

import java.util.List;
import org.fuzhi.identification.SchoolAgeCheck;
import org.fuzhi.platform.CurrentUser;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;

@Controller
class DropoutController {

    private final SchoolAgeCheck check;

    DropoutController(SchoolAgeCheck check) {
        this.check = check;
    }

    @GetMapping("/identification/dropouts")
    String page(Model model) {
        model.addAttribute("suspects", check.suspectedDropouts(CurrentUser.get()));
        return "identification/dropouts";
    }

    @GetMapping("/api/v1/identification/suspected-dropouts")
    @ResponseBody
    List<SchoolAgeCheck.Suspect> api() {
        return check.suspectedDropouts(CurrentUser.get());
    }
}
