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
    private final org.fuzhi.aid.Funds funds;
    private final org.fuzhi.aid.Terms terms;

    DashboardController(Dashboard dashboard, MessageSource messages, org.fuzhi.identification.Rounds rounds,
                        org.fuzhi.aid.Funds funds, org.fuzhi.aid.Terms terms) {
        this.dashboard = dashboard;
        this.messages = messages;
        this.rounds = rounds;
        this.funds = funds;
        this.terms = terms;
    }

    /**
     * Aid at a glance for the center, the leader and the evaluator of a region: the latest budget year's funds (used
     * and left, the backstop among them) and the latest term's coverage (应助尽助率).
     */
    private void aid(Model model, CurrentUser me) {
        boolean regionStaff = (me.role() == org.fuzhi.platform.Role.CENTER || me.role() == org.fuzhi.platform.Role.LEADER
                || me.role() == org.fuzhi.platform.Role.EVALUATOR)
                && me.scope().type() == org.fuzhi.platform.Scope.Type.REGION;
        if (!regionStaff) {
            return;
        }
        List<org.fuzhi.aid.Funds.FundView> all = funds.list(me, null);
        if (!all.isEmpty()) {
            int year = all.stream().mapToInt(org.fuzhi.aid.Funds.FundView::budgetYear).max().orElseThrow();
            List<org.fuzhi.aid.Funds.FundView> current = all.stream().filter(f -> f.budgetYear() == year).toList();
            model.addAttribute("aidYear", year);
            model.addAttribute("aidFunds", current);
            model.addAttribute("fundNames", current.stream().map(org.fuzhi.aid.Funds.FundView::name).toList());
            model.addAttribute("fundUsed", current.stream().map(f -> f.allocated()).toList());
            model.addAttribute("fundLeft", current.stream().map(f -> f.available()).toList());
        }
        terms.list(me).stream().filter(t -> t.coverage() != null).findFirst()
                .ifPresent(t -> model.addAttribute("aidTerm", t));
    }

    @GetMapping("/")
    String home(Model model, Locale locale) {
        Overview o = dashboard.overview(CurrentUser.get());
        model.addAttribute("o", o);
        // What waits for this user in the identification rounds: the first thing a village or school clerk needs.
        model.addAttribute("pending", rounds.pending(CurrentUser.get()));
        aid(model, CurrentUser.get());
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
