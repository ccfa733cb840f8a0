package org.fuzhi.supervision.web;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.aid.Funds;
import org.fuzhi.aid.Terms;
import org.fuzhi.identification.Figures;
import org.fuzhi.identification.Rounds;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.Scope;
import org.fuzhi.supervision.Dashboard;
import org.fuzhi.supervision.Overview;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

@Controller
class DashboardController {

    private final Dashboard dashboard;
    private final MessageSource messages;
    private final Rounds rounds;
    private final Funds funds;
    private final Terms terms;
    private final Figures figures;

    DashboardController(Dashboard dashboard, MessageSource messages, Rounds rounds,
                        Funds funds, Terms terms, Figures figures) {
        this.figures = figures;
        this.dashboard = dashboard;
        this.messages = messages;
        this.rounds = rounds;
        this.funds = funds;
        this.terms = terms;
    }

    /**
     * Aid at a glance: for the center, the leader and the evaluator of a region the latest budget year's funds (used
     * and left, the backstop among them); for them and for a school's clerks the latest generated term of their area —
     * its coverage (应助尽助率), what each fund paid, aid by stage and by township, failed payments.
     */
    private void aid(Model model, CurrentUser me, Long chosen) {
        Role role = me.role();
        boolean regionStaff = (role == Role.CENTER || role == Role.LEADER
                || role == Role.EVALUATOR) && me.scope().type() == Scope.Type.REGION;
        boolean school = role == Role.SCHOOL_OPERATOR || role == Role.SCHOOL_REVIEWER;
        if (!regionStaff && !school) {
            return;
        }
        if (regionStaff) {
            List<Funds.FundView> all = funds.list(me, null);
            if (!all.isEmpty()) {
                int year = all.stream().mapToInt(Funds.FundView::budgetYear).max().orElseThrow();
                List<Funds.FundView> current = all.stream().filter(f -> f.budgetYear() == year).toList();
                model.addAttribute("aidYear", year);
                model.addAttribute("aidFunds", current);
                model.addAttribute("fundNames", current.stream().map(Funds.FundView::name).toList());
                model.addAttribute("fundUsed", current.stream().map(f -> f.allocated()).toList());
                model.addAttribute("fundLeft", current.stream().map(f -> f.available()).toList());
            }
        }
        List<Terms.TermView> generated = terms.list(me).stream().filter(t -> t.coverage() != null).toList();
        // The latest term unless the user picked another one of theirs.
        Terms.TermView term = generated.stream().filter(t -> chosen != null && t.id() == chosen)
                .findFirst().orElse(generated.isEmpty() ? null : generated.get(0));
        if (term == null) {
            return;
        }
        model.addAttribute("aidTerm", term);
        model.addAttribute("aidTerms", generated);
        Terms.TermSummary summary = terms.summary(me, term.id());
        model.addAttribute("aidSummary", summary);
        BigDecimal paid = summary.byStage().stream().map(Terms.TermSummary.Row::paid)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal value = summary.byStage().stream().map(Terms.TermSummary.Row::value)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        model.addAttribute("aidPaid", paid);
        model.addAttribute("aidValue", value);
        model.addAttribute("aidCount", summary.byStage().stream().mapToLong(Terms.TermSummary.Row::count).sum());
        // Chart series: each fund's money by where it stands, and the term's aid by stage.
        model.addAttribute("termFundNames", summary.byFund().stream().map(Terms.TermSummary.FundRow::name).toList());
        model.addAttribute("termFundPaid", summary.byFund().stream().map(Terms.TermSummary.FundRow::paid).toList());
        model.addAttribute("termFundPayable", summary.byFund().stream().map(Terms.TermSummary.FundRow::payable).toList());
        model.addAttribute("termFundReturned", summary.byFund().stream().map(Terms.TermSummary.FundRow::returned).toList());
        model.addAttribute("termFundWaiting", summary.byFund().stream().map(f -> f.allocated().subtract(f.paid())
                .subtract(f.payable()).subtract(f.returned())).toList());
        model.addAttribute("aidStageLabels", summary.byStage().stream().map(Terms.TermSummary.Row::name).toList());
        model.addAttribute("aidStageValues", summary.byStage().stream().map(Terms.TermSummary.Row::value).toList());
    }

    @GetMapping("/")
    String home(Model model, Locale locale,
                @RequestParam(required = false) Long aidTerm) {
        if (!CurrentUser.get().role().seesChildren()) {
            // Figures of zero would read as a fact ("no poor students"): say instead that this role does not see them.
            return "dashboard-none";
        }
        Overview o = dashboard.overview(CurrentUser.get());
        model.addAttribute("o", o);
        // What waits for this user in the identification rounds: the first thing a village or school clerk needs.
        model.addAttribute("pending", rounds.pending(CurrentUser.get()));
        aid(model, CurrentUser.get(), aidTerm);
        // The round's progress step by step, what it found, the dropout cases — overall and per township — for the
        // people who steer the work of an area (not a school: it sees its own tasks above).
        Role role = CurrentUser.get().role();
        if (role == Role.CENTER || role == Role.LEADER
                || role == Role.EVALUATOR || role == Role.TOWNSHIP) {
            figures.latest(CurrentUser.get()).ifPresent(f -> model.addAttribute("ident", f));
        }
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
        CurrentUser.get().require(CurrentUser.get().role().seesChildren());
        return dashboard.overview(CurrentUser.get());
    }
}
