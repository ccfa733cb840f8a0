package org.fuzhi.aid.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.aid.Batches;
import org.fuzhi.aid.Catalog;
import org.fuzhi.aid.Funds;
import org.fuzhi.aid.PayeeAccounts;
import org.fuzhi.aid.Terms;
import org.fuzhi.common.Stage;
import org.fuzhi.identification.Rounds;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Exports;
import org.fuzhi.platform.JobAnswers;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Privacy;
import org.fuzhi.platform.Refusals;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.Tabular;
import org.fuzhi.registry.Registry;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The aid pages: terms and funds, the catalog, and a term with its entitlements and 应助尽助 list. */
@Controller
class AidController {

    private final Catalog catalog;
    private final Terms terms;
    private final Funds funds;
    private final Rounds rounds;
    private final Refusals refusals;
    private final Batches batches;
    private final PayeeAccounts accounts;
    private final Registry registry;
    private final Jobs jobs;
    private final JobAnswers answers;
    private final MessageSource messages;

    private final Exports exports;
    private final TermWork termWork;

    AidController(Catalog catalog, Terms terms, Funds funds, Rounds rounds, Refusals refusals,
                  Batches batches, PayeeAccounts accounts,
                  Registry registry, Jobs jobs,
                  JobAnswers answers, MessageSource messages,
                  Exports exports, TermWork termWork) {
        this.exports = exports;
        this.termWork = termWork;
        this.jobs = jobs;
        this.answers = answers;
        this.messages = messages;
        this.registry = registry;
        this.accounts = accounts;
        this.batches = batches;
        this.catalog = catalog;
        this.terms = terms;
        this.funds = funds;
        this.rounds = rounds;
        this.refusals = refusals;
    }

    private static boolean regionStaff(CurrentUser me) {
        return (me.role() == Role.CENTER || me.role() == Role.LEADER || me.role() == Role.EVALUATOR)
                && me.scope().type() == Scope.Type.REGION;
    }

    @GetMapping("/aid")
    String index(Model model) {
        CurrentUser me = CurrentUser.get();
        model.addAttribute("terms", terms.list(me));
        model.addAttribute("funds", regionStaff(me) ? funds.list(me, null) : List.of());
        model.addAttribute("ledger", regionStaff(me) ? funds.check(me) : null);
        if (me.role() == Role.CENTER) {
            model.addAttribute("finalRounds", rounds.list(me).stream()
                    .filter(r -> r.stage() == Rounds.Stage.FINAL).toList());
        }
        LocalDate today = LocalDate.now(ZoneId.of("Asia/Shanghai"));
        model.addAttribute("defaultYear", today.getMonthValue() >= 8 ? today.getYear() : today.getYear() - 1);
        model.addAttribute("fundKinds", Funds.Kind.values());
        return "aid/index";
    }

    @PostMapping("/aid/terms")
    String open(@RequestParam int schoolYear, @RequestParam Terms.Term term, @RequestParam long roundId,
                RedirectAttributes ra, Locale locale) {
        CurrentUser me = CurrentUser.get();
        Terms.TermView[] opened = new Terms.TermView[1];
        String error = refusals.attempt(() -> opened[0] = terms.open(me, new Terms.NewTerm(schoolYear, term, roundId,
                null)), locale);
        if (error != null) {
            ra.addFlashAttribute("error", error);
            return "redirect:/aid";
        }
        return "redirect:/aid/terms/" + opened[0].id();
    }

    @PostMapping("/aid/funds")
    String createFund(@RequestParam String code, @RequestParam String name, @RequestParam Funds.Kind kind,
                      @RequestParam int budgetYear, @RequestParam(required = false) Integer priority,
                      @RequestParam String budget, @RequestParam(required = false) String items,
                      RedirectAttributes ra, Locale locale) {
        CurrentUser me = CurrentUser.get();
        String error;
        try {
            BigDecimal amount = new BigDecimal(budget.strip().replace(",", ""));
            List<String> itemCodes = items == null || items.isBlank() ? null
                    : Arrays.stream(items.split("[,，\\s]+")).filter(s -> !s.isBlank()).toList();
            error = refusals.attempt(() -> funds.create(me, new Funds.NewFund(code.strip(), name, kind, null,
                    budgetYear, priority, amount, itemCodes, null, null)), locale);
        } catch (NumberFormatException e) {
            error = refusals.attempt(() -> {
                throw new RuleViolationException("aid.rule.fundBudget");
            }, locale);
        }
        if (error != null) {
            ra.addFlashAttribute("error", error);
        }
        return "redirect:/aid";
    }

    @GetMapping("/aid/terms/{id}")
    String term(@PathVariable long id, @RequestParam(defaultValue = "0") int page,
                @RequestParam(required = false) String school, Model model) {
        CurrentUser me = CurrentUser.get();
        Terms.TermView t = terms.term(me, id);
        model.addAttribute("term", t);
        model.addAttribute("summary", terms.summary(me, id));
        int size = 50;
        var list = terms.entitlements(me, id, school, Math.max(0, page), size);
        int last = (int) Math.max(0, (list.total() - 1) / size);
        if (list.page() > last) {
            // a page past the end (a link from before a re-generation) shows the last one
            list = terms.entitlements(me, id, school, last, size);
        }
        model.addAttribute("entitlements", list);
        model.addAttribute("missed", terms.missed(me, id, school, 0, 100));
        model.addAttribute("school", school);
        model.addAttribute("mayAct", me.role() == Role.CENTER);
        List<Batches.BatchView> termBatches = batches.list(me, id);
        model.addAttribute("batches", termBatches);
        // The aid center downloads one bank file per bank the payees of an approved batch bank with.
        Map<Long, List<Batches.BankShare>> banks = new HashMap<>();
        if (me.role() == Role.CENTER) {
            termBatches.stream().filter(b -> b.status() == Batches.Status.APPROVED)
                    .forEach(b -> banks.put(b.id(), batches.banks(me, b.id())));
        }
        model.addAttribute("banks", banks);
        model.addAttribute("outsideSchools", t.status() == Terms.Status.ALLOCATED ? batches.outsideSchools(me, id)
                : List.of());
        model.addAttribute("mayPrepare", me.role() == Role.SCHOOL_OPERATOR && t.status() == Terms.Status.ALLOCATED);
        model.addAttribute("mayExplain", me.role() == Role.CENTER || me.role() == Role.SCHOOL_OPERATOR
                || me.role() == Role.SCHOOL_REVIEWER);
        return "aid/term";
    }

    @GetMapping("/aid/terms/{id}/entitlements.xlsx")
    void exportTerm(@PathVariable long id, @RequestParam(required = false) String school, Locale locale,
                    HttpServletRequest request,
                    HttpServletResponse response) throws IOException {
        AidExports.send(exports, terms, messages, id, school, locale, request, response);
    }

    @GetMapping("/aid/funds/{id}/statement.xlsx")
    void statement(@PathVariable long id, Locale locale, HttpServletRequest request,
                   HttpServletResponse response) throws IOException {
        AidExports.statement(exports, funds, messages, id, locale, request, response);
    }

    @GetMapping("/aid/accounts/{studentId}")
    String account(@PathVariable long studentId, @RequestParam(required = false) Long termId, Model model) {
        CurrentUser me = CurrentUser.get();
        model.addAttribute("studentId", studentId);
        var student = registry.student(me.childDataScope(), studentId)
                .orElseThrow(() -> new NotFoundException("student"));
        model.addAttribute("student", Privacy.of(me).name(student.name()) + " · "
                + student.schoolName());
        model.addAttribute("termId", termId);
        model.addAttribute("account", accounts.of(me, studentId).orElse(null));
        model.addAttribute("mayEdit", me.role() == Role.SCHOOL_OPERATOR || me.role() == Role.CENTER);
        return "aid/account";
    }

    @PostMapping("/aid/accounts/{studentId}")
    String saveAccount(@PathVariable long studentId, @RequestParam(required = false) Long termId,
                       @RequestParam String holderName, @RequestParam PayeeAccounts.Relation relation,
                       @RequestParam PayeeAccounts.Type type, @RequestParam String bank,
                       @RequestParam String number, RedirectAttributes ra, Locale locale) {
        String error = refusals.attempt(() -> accounts.set(CurrentUser.get(), studentId,
                new PayeeAccounts.AccountEdit(holderName, relation, type, bank, number)), locale);
        ra.addFlashAttribute(error != null ? "error" : "saved", error != null ? error : true);
        return "redirect:/aid/accounts/" + studentId + (termId == null ? "" : "?termId=" + termId);
    }

    @PostMapping("/aid/batches/{id}/returns")
    String importReturn(@PathVariable long id, @RequestParam long termId,
                        @RequestParam("file") MultipartFile file, RedirectAttributes ra,
                        Locale locale) throws IOException {
        Batches.ReturnResult[] r = new Batches.ReturnResult[1];
        // The bank's return as it came: CSV in any of the encodings imports accept, or the .xlsx the bank sent.
        Path tmp = Files.createTempFile("fuzhi-return-", ".tmp");
        try {
            file.transferTo(tmp);
            String error = refusals.attempt(() -> r[0] = batches.importReturn(CurrentUser.get(), id,
                    Tabular.rows(tmp, file.getOriginalFilename())), locale);
            if (error != null) {
                ra.addFlashAttribute("error", error);
            } else if (!r[0].applied()) {
                ra.addFlashAttribute("returnProblems", r[0].problems());
            } else {
                ra.addFlashAttribute("returnDone", r[0]);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return "redirect:/aid/terms/" + termId + "#batches";
    }

    @PostMapping("/aid/batches/{id}/reissue")
    String reissue(@PathVariable long id, @RequestParam long termId, RedirectAttributes ra, Locale locale) {
        String error = refusals.attempt(() -> batches.reissue(CurrentUser.get(), id), locale);
        if (error != null) {
            ra.addFlashAttribute("error", error);
        }
        return "redirect:/aid/terms/" + termId + "#batches";
    }

    @GetMapping("/aid/batches/{id}/bank-file.{ext:csv|xlsx}")
    void bankFile(@PathVariable long id, @PathVariable String ext, @RequestParam(required = false) String bank,
                  Locale locale, HttpServletRequest request,
                  HttpServletResponse response) throws IOException {
        BankFiles.write(exports, batches, messages, id, ext, bank, locale, request, response);
    }

    @PostMapping("/aid/terms/{id}/generate")
    String generate(@PathVariable long id, RedirectAttributes ra, Locale locale) {
        Jobs.Job[] job = new Jobs.Job[1];
        boolean[] ended = {false};
        String error = refusals.attempt(() -> {
            job[0] = termWork.start(id, true, locale);
            ended[0] = answers.ui(job[0]).isPresent();
        }, locale);
        if (error != null) {
            ra.addFlashAttribute("error", error);
        } else if (!ended[0]) {
            return answers.page(job[0]);
        }
        return "redirect:/aid/terms/" + id;
    }

    @PostMapping("/aid/terms/{id}/allocate")
    String allocate(@PathVariable long id, RedirectAttributes ra, Locale locale) {
        Terms.AllocationReport[] r = new Terms.AllocationReport[1];
        Jobs.Job[] job = new Jobs.Job[1];
        String error = refusals.attempt(() -> {
            job[0] = termWork.start(id, false, locale);
            answers.ui(job[0]).ifPresent(v -> r[0] = (Terms.AllocationReport) v);
        }, locale);
        if (error != null) {
            ra.addFlashAttribute("error", error);
        } else if (r[0] == null) {
            return answers.page(job[0]);
        } else {
            ra.addFlashAttribute("report", r[0]);
        }
        return "redirect:/aid/terms/" + id;
    }

    @PostMapping("/aid/terms/{id}/batches")
    String prepare(@PathVariable long id, @RequestParam(required = false) String school, RedirectAttributes ra,
                   Locale locale) {
        String error = refusals.attempt(() -> batches.prepare(CurrentUser.get(), id, school), locale);
        if (error != null) {
            ra.addFlashAttribute("error", error);
        }
        return "redirect:/aid/terms/" + id + "#batches";
    }

    @PostMapping("/aid/batches/{id}/{step:check|approve|reject}")
    String step(@PathVariable long id, @PathVariable String step, @RequestParam long termId, @RequestParam int version,
                @RequestParam(required = false) String reason, RedirectAttributes ra, Locale locale) {
        CurrentUser me = CurrentUser.get();
        String error = refusals.attempt(() -> {
            switch (step) {
                case "check" -> batches.check(me, id, version);
                case "approve" -> batches.approve(me, id, version);
                default -> batches.reject(me, id, version, reason);
            }
        }, locale);
        if (error != null) {
            ra.addFlashAttribute("error", error);
        }
        return "redirect:/aid/terms/" + termId + "#batches";
    }

    @PostMapping("/aid/missed/{id}/explanation")
    String explain(@PathVariable long id, @RequestParam long termId, @RequestParam String explanation,
                   RedirectAttributes ra, Locale locale) {
        String error = refusals.attempt(() -> terms.explain(CurrentUser.get(), id, explanation), locale);
        if (error != null) {
            ra.addFlashAttribute("error", error);
        }
        return "redirect:/aid/terms/" + termId + "#missed";
    }

    @GetMapping("/aid/catalog")
    String catalog(Model model) {
        CurrentUser me = CurrentUser.get();
        model.addAttribute("items", catalog.items(me));
        model.addAttribute("mayEdit", me.role() == Role.CENTER);
        model.addAttribute("stages", Stage.values());
        model.addAttribute("kinds", Catalog.Kind.values());
        model.addAttribute("boardings", Catalog.Boarding.values());
        model.addAttribute("levels", Catalog.LEVELS);
        model.addAttribute("today", LocalDate.now(ZoneId.of("Asia/Shanghai")));
        return "aid/catalog";
    }

    @PostMapping("/aid/catalog")
    String addItem(@RequestParam String code, @RequestParam String name,
                   @RequestParam(required = false) List<Stage> stages, @RequestParam Catalog.Kind kind,
                   @RequestParam(required = false) List<String> sources, @RequestParam Catalog.Boarding boarding,
                   @RequestParam(required = false) String minLevel, @RequestParam(required = false) Integer gradeFrom,
                   @RequestParam(required = false) Integer gradeTo, @RequestParam String amount,
                   @RequestParam(defaultValue = "2") int termsPerYear, @RequestParam(required = false) String compatGroup,
                   @RequestParam String effectiveFrom, @RequestParam(required = false) String note,
                   RedirectAttributes ra, Locale locale) {
        CurrentUser me = CurrentUser.get();
        String error;
        try {
            BigDecimal yearly = new BigDecimal(amount.strip());
            LocalDate from = LocalDate.parse(effectiveFrom);
            error = refusals.attempt(() -> catalog.save(me, new Catalog.ItemEdit(code.strip().toUpperCase(Locale.ROOT),
                    null, name, stages == null ? List.of() : stages, kind, me.scope().code(),
                    sources == null ? List.of() : sources, minLevel, null, boarding, gradeFrom, gradeTo, true, yearly,
                    null, termsPerYear, compatGroup, null, from, null, null, note)), locale);
        } catch (NumberFormatException | DateTimeParseException e) {
            error = refusals.attempt(() -> {
                throw new RuleViolationException("aid.rule.itemAmount");
            }, locale);
        }
        if (error != null) {
            ra.addFlashAttribute("error", error);
            return "redirect:/aid/catalog";
        }
        return "redirect:/aid/catalog/" + code.strip().toUpperCase(Locale.ROOT);
    }

    @GetMapping("/aid/catalog/{code}")
    String item(@PathVariable String code, Model model) {
        CurrentUser me = CurrentUser.get();
        List<Catalog.Item> history = catalog.history(me, code);
        if (history.isEmpty()) {
            throw new NotFoundException("aid item");
        }
        model.addAttribute("item", history.get(0));
        model.addAttribute("history", history);
        model.addAttribute("mayEdit", me.role() == Role.CENTER);
        model.addAttribute("levels", Catalog.LEVELS);
        return "aid/item";
    }

    @PostMapping("/aid/catalog/{code}")
    String saveItem(@PathVariable String code, @RequestParam int expectedVersion, @RequestParam String name,
                    @RequestParam String amount, @RequestParam(required = false) List<String> tierLevel,
                    @RequestParam(required = false) List<String> tierAmount, @RequestParam(required = false) String note,
                    RedirectAttributes ra, Locale locale) {
        CurrentUser me = CurrentUser.get();
        Catalog.Item cur = catalog.history(me, code).stream().findFirst()
                .orElseThrow(() -> new NotFoundException("aid item"));
        String error;
        try {
            Map<String, BigDecimal> tiers = new LinkedHashMap<>();
            if (tierLevel != null && tierAmount != null) {
                for (int i = 0; i < Math.min(tierLevel.size(), tierAmount.size()); i++) {
                    if (tierAmount.get(i) != null && !tierAmount.get(i).isBlank()) {
                        tiers.put(tierLevel.get(i), new BigDecimal(tierAmount.get(i).strip()));
                    }
                }
            }
            BigDecimal yearly = new BigDecimal(amount.strip());
            error = refusals.attempt(() -> catalog.save(me, new Catalog.ItemEdit(code, expectedVersion, name,
                    cur.stages(), cur.kind(), cur.scopeCode(), cur.sources(), cur.minLevel(), cur.categories(),
                    cur.boarding(), cur.gradeFrom(), cur.gradeTo(), cur.inCountyOnly(), yearly, tiers,
                    cur.termsPerYear(), cur.compatGroup(), cur.notWith(), cur.effectiveFrom(), cur.effectiveTo(),
                    cur.sortOrder(), note)), locale);
        } catch (NumberFormatException e) {
            error = refusals.attempt(() -> {
                throw new RuleViolationException("aid.rule.itemAmount");
            }, locale);
        }
        if (error != null) {
            ra.addFlashAttribute("error", error);
        } else {
            ra.addFlashAttribute("saved", true);
        }
        return "redirect:/aid/catalog/" + code;
    }
}
