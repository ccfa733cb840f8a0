package org.fuzhi.supervision.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.supervision.Dashboard;
import org.fuzhi.supervision.Overview;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;

@Controller
class DashboardController {

    private final Dashboard dashboard;
    private final MessageSource messages;
    private final org.fuzhi.identification.Rounds rounds;

    DashboardController(Dashboard dashboard, MessageSource messages, org.fuzhi.identification.Rounds rounds) {
        this.dashboard = dashboard;
        this.messages = messages;
        this.rounds = rounds;
    }

    @GetMapping("/")
    String home(Model model, Locale locale) {
        Overview o = dashboard.overview(CurrentUser.get());
        model.addAttribute("o", o);
        // What waits for this user in the identification rounds: the first thing a village or school clerk needs.
        model.addAttribute("pending", rounds.pending(CurrentUser.get()));
        // Chart labels are localised here so the page script only receives data.
        List<String> labels = new ArrayList<>();
        List<Long> values = new ArrayList<>();
        o.registeredPoorStudents().byStage().forEach((k, v) -> {
            labels.add(messages.getMessage("enum.StatGroup." + k, null, locale));
            values.add(v);
        });
        List<Map<String, Object>> types = new ArrayList<>();
        o.keyVillageSchools().forEach((k, v) -> {
            if (!"total".equals(k)) {
                types.add(Map.of("name", messages.getMessage("enum.SchoolType." + k, null, locale), "value", v));
            }
        });
        model.addAttribute("stageLabels", labels);
        model.addAttribute("stageValues", values);
        model.addAttribute("schoolTypeData", types);
        return "dashboard";
    }

    @GetMapping("/api/v1/stats/overview")
    @ResponseBody
    Overview overview() {
        return dashboard.overview(CurrentUser.get());
    }
}
