package org.fuzhi.aid.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.fuzhi.aid.Batches;
import org.fuzhi.aid.Catalog;
import org.fuzhi.aid.Funds;
import org.fuzhi.aid.PayeeAccounts;
import org.fuzhi.aid.Terms;
import org.fuzhi.aid.internal.IdempotentRequests;
import org.fuzhi.common.Page;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Exports;
import org.fuzhi.platform.JobAnswers;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Tabular;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** The aid API: catalog, terms, entitlements, 应助尽助, funds and the ledger check. Scope and role checks are the services'. */
@RestController
@Tag(name = "aid")
class AidApiController {

    private final Catalog catalog;
    private final Terms terms;
    private final Funds funds;
    private final IdempotentRequests requests;
    private final Batches batches;
    private final PayeeAccounts accounts;

    private final Exports exports;
    private final MessageSource messages;
    private final TermWork termWork;
    private final Jobs jobs;
    private final JobAnswers answers;

    AidApiController(Catalog catalog, Terms terms, Funds funds, IdempotentRequests requests,
                     Batches batches, PayeeAccounts accounts,
                     Exports exports, MessageSource messages,
                     TermWork termWork, Jobs jobs, JobAnswers answers) {
        this.termWork = termWork;
        this.jobs = jobs;
        this.answers = answers;
        this.exports = exports;
        this.messages = messages;
        this.accounts = accounts;
        this.batches = batches;
        this.catalog = catalog;
        this.terms = terms;
        this.funds = funds;
        this.requests = requests;
    }

    /** The answer of a request that may carry an {@code Idempotency-Key}: the first answer for a repeated key. */
    private ResponseEntity<String> once(String key, String operation,
                                                                 Supplier<Object> work) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON)
                .body(requests.once(CurrentUser.get(), key, operation, work));
    }

    private static final String KEY = "Idempotency-Key";

    @GetMapping("/api/v1/aid/items")
    @Operation(summary = "The current aid items that apply in your area, in catalog order")
    List<Catalog.Item> items() {
        return catalog.items(CurrentUser.get());
    }

    @GetMapping("/api/v1/aid/items/{code}/history")
    @Operation(summary = "Every version of an aid item, newest first")
    List<Catalog.Item> history(@PathVariable String code) {
        return catalog.history(CurrentUser.get(), code);
    }

    @PostMapping("/api/v1/aid/items")
    @Operation(summary = "Add an aid item, or save the next version of one (expectedVersion = the version you edited)")
    Catalog.Item save(@RequestBody Catalog.ItemEdit edit) {
        return catalog.save(CurrentUser.get(), edit);
    }

    @GetMapping("/api/v1/aid/terms")
    @Operation(summary = "The aid terms of your area")
    List<Terms.TermView> terms() {
        return terms.list(CurrentUser.get());
    }

    @PostMapping("/api/v1/aid/terms")
    @Operation(summary = "Open an aid term on a final identification round (Idempotency-Key honoured)")
    ResponseEntity<String> open(@RequestBody Terms.NewTerm term,
            @RequestHeader(value = KEY, required = false) String key) {
        return once(key, "open-term", () -> terms.open(CurrentUser.get(), term));
    }

    @GetMapping("/api/v1/aid/terms/{id}")
    Terms.TermView term(@PathVariable long id) {
        return terms.term(CurrentUser.get(), id);
    }

    @PostMapping("/api/v1/aid/terms/{id}/generate")
    @Operation(summary = "Re-verify enrolment and generate the term's entitlements (idempotent). Runs as a job: the "
            + "result when it ends within 20 s, else 202 with the job's URL (at once with Prefer: respond-async); a "
            + "second start while one runs is refused (409); a repeated Idempotency-Key answers with the first job")
    ResponseEntity<Object> generate(@PathVariable long id,
            @RequestHeader(value = KEY, required = false) String key,
            HttpServletRequest request) {
        return termJob(id, true, key, "generate:" + id, request);
    }

    @PostMapping("/api/v1/aid/terms/{id}/allocate")
    @Operation(summary = "Pay the term's cash entitlements from the funds by the waterfall; reports the shortfall. "
            + "Runs as a job like generate; with an Idempotency-Key a repeated request answers with the first "
            + "request's job and allocates nothing")
    ResponseEntity<Object> allocate(@PathVariable long id,
            @RequestHeader(value = KEY, required = false) String key,
            HttpServletRequest request) {
        return termJob(id, false, key, "allocate:" + id, request);
    }

    private static final JsonMapper JSON = JsonMapper
            .builder().build();

    /**
     * Starts the term's work as a job (the pages do the same) and answers for it. Under an Idempotency-Key the
     * key keeps the job it started: a repeat answers with that job — its result, or where to follow it.
     */
    private ResponseEntity<Object> termJob(long id, boolean generate, String key,
                                                                    String operation,
                                                                    HttpServletRequest request) {
        Locale locale = LocaleContextHolder.getLocale();
        Jobs.Job job;
        if (key == null || key.isBlank()) {
            job = termWork.start(id, generate, locale);
        } else {
            var first = JSON.readTree(requests.once(CurrentUser.get(), key, operation,
                    () -> Map.of("job", termWork.start(id, generate, locale).id())));
            if (!first.has("job")) {
                // Stored before this work ran as a job: the answer itself.
                return ResponseEntity.ok(first);
            }
            job = jobs.find(first.get("job").asString()).orElseThrow(() ->
                    new NotFoundException("job"));
        }
        return answers.api(job, request, v -> v);
    }

    @GetMapping("/api/v1/aid/terms/{id}/entitlements")
    Page<Terms.EntitlementView> entitlements(@PathVariable long id, @RequestParam(required = false) String school,
                                             @RequestParam(defaultValue = "0") int page,
                                             @RequestParam(defaultValue = "50") int size) {
        return terms.entitlements(CurrentUser.get(), id, school, Math.max(0, page), Math.min(Math.max(1, size), 500));
    }

    @GetMapping("/api/v1/aid/terms/{id}/entitlements.xlsx")
    @Operation(summary = "The term's aid list as .xlsx (one row per entitlement and fund part); audited")
    void exportEntitlements(@PathVariable long id, @RequestParam(required = false) String school,
                            Locale locale, HttpServletRequest request,
                            HttpServletResponse response) throws IOException {
        AidExports.send(exports, terms, messages, id, school, locale, request, response);
    }

    @GetMapping("/api/v1/aid/funds/{id}/statement.xlsx")
    @Operation(summary = "A fund's statement as .xlsx: every ledger entry and the running available balance; audited")
    void statement(@PathVariable long id, Locale locale, HttpServletRequest request,
                   HttpServletResponse response) throws IOException {
        AidExports.statement(exports, funds, messages, id, locale, request, response);
    }

    @GetMapping("/api/v1/aid/terms/{id}/missed")
    @Operation(summary = "应助尽助: identified children of the term without an entitlement, with the reason")
    Page<Terms.MissedView> missed(@PathVariable long id, @RequestParam(required = false) String school,
                                  @RequestParam(defaultValue = "0") int page,
                                  @RequestParam(defaultValue = "50") int size) {
        return terms.missed(CurrentUser.get(), id, school, Math.max(0, page), Math.min(Math.max(1, size), 500));
    }

    record Explanation(String explanation) {
    }

    @PostMapping("/api/v1/aid/missed/{id}/explanation")
    Terms.MissedView explain(@PathVariable long id, @RequestBody Explanation body) {
        return terms.explain(CurrentUser.get(), id, body.explanation());
    }

    @GetMapping("/api/v1/aid/terms/{id}/summary")
    Terms.TermSummary summary(@PathVariable long id) {
        return terms.summary(CurrentUser.get(), id);
    }

    @GetMapping("/api/v1/aid/terms/{id}/batches")
    @Operation(summary = "The term's payment batches you may see, with the steps you may take")
    List<Batches.BatchView> batches(@PathVariable long id) {
        return batches.list(CurrentUser.get(), id);
    }

    @GetMapping("/api/v1/aid/terms/{id}/outside-schools")
    @Operation(summary = "Schools outside the term's area with allocated aid in no batch yet (the term's aid center batches them)")
    List<Batches.SchoolDue> outsideSchools(@PathVariable long id) {
        return batches.outsideSchools(CurrentUser.get(), id);
    }

    @PostMapping("/api/v1/aid/terms/{id}/batches")
    @Operation(summary = "Prepare a payment batch of a school's allocated aid (school clerk: own school; center: "
            + "school=…); Idempotency-Key honoured")
    ResponseEntity<String> prepare(@PathVariable long id,
            @RequestParam(required = false) String school,
            @RequestHeader(value = KEY, required = false) String key) {
        return once(key, "prepare:" + id + ":" + school, () -> batches.prepare(CurrentUser.get(), id, school));
    }

    record Reason(String reason) {
    }

    @PostMapping("/api/v1/aid/batches/{id}/{step:check|approve|reject}")
    @Operation(summary = "Check (school reviewer), approve (aid center) or reject (with a reason) a batch read at "
            + "version; never by the person who prepared or checked it; Idempotency-Key honoured")
    ResponseEntity<String> step(@PathVariable long id, @PathVariable String step,
            @RequestParam int version, @RequestBody(required = false) Reason body,
            @RequestHeader(value = KEY, required = false) String key) {
        return once(key, step + ":" + id, () -> switch (step) {
            case "check" -> batches.check(CurrentUser.get(), id, version);
            case "approve" -> batches.approve(CurrentUser.get(), id, version);
            default -> batches.reject(CurrentUser.get(), id, version, body == null ? null : body.reason());
        });
    }

    @GetMapping("/api/v1/aid/batches/{id}/banks")
    @Operation(summary = "The banks an approved batch pays into, with the lines still to be sent to each (aid center)")
    List<Batches.BankShare> banks(@PathVariable long id) {
        return batches.banks(CurrentUser.get(), id);
    }

    @GetMapping("/api/v1/aid/batches/{id}/bank-file.{ext:csv|xlsx}")
    @Operation(summary = "The bank file of an approved batch, for one bank (?bank=) or all, as CSV or .xlsx "
            + "(aid center; full account numbers; audited)")
    void bankFile(@PathVariable long id, @PathVariable String ext,
                  @RequestParam(required = false) String bank,
                  Locale locale, HttpServletRequest request,
                  HttpServletResponse response) throws IOException {
        BankFiles.write(exports, batches, messages, id, ext, bank, locale, request, response);
    }

    @PostMapping(value = "/api/v1/aid/batches/{id}/returns", consumes = {"text/csv", "text/plain"})
    @Operation(summary = "Import the bank's return file of a batch (CSV: line, account, amount, 成功/失败, reason): "
            + "all lines or none; Idempotency-Key honoured")
    ResponseEntity<String> importReturn(@PathVariable long id, @RequestBody String csv,
            @RequestHeader(value = KEY, required = false) String key) {
        return once(key, "return:" + id, () -> {
            Batches.ReturnResult r = batches.importReturn(CurrentUser.get(), id,
                    Tabular.csvRows(csv));
            if (!r.applied()) {
                throw new ReturnRejected(r);
            }
            return r;
        });
    }

    /** A return file that contradicts what was sent: answered 422 with every reason, nothing changed. */
    static final class ReturnRejected extends RuntimeException {
        final transient Batches.ReturnResult result;

        ReturnRejected(Batches.ReturnResult result) {
            super("return file rejected");
            this.result = result;
        }
    }

    @ExceptionHandler(ReturnRejected.class)
    ResponseEntity<Batches.ReturnResult> rejected(ReturnRejected e) {
        return ResponseEntity.unprocessableContent().body(e.result);
    }

    @PostMapping("/api/v1/aid/batches/{id}/reissue")
    @Operation(summary = "New attempts for the batch's entitlements whose every attempt failed; Idempotency-Key honoured")
    ResponseEntity<String> reissue(@PathVariable long id,
            @RequestHeader(value = KEY, required = false) String key) {
        return once(key, "reissue:" + id, () -> Map.of("reissued", batches.reissue(CurrentUser.get(), id)));
    }

    @GetMapping("/api/v1/aid/accounts/{studentId}")
    @Operation(summary = "The student's payee account, masked")
    ResponseEntity<PayeeAccounts.AccountView> account(@PathVariable long studentId) {
        return accounts.of(CurrentUser.get(), studentId).map(ResponseEntity::ok)
                .orElse(ResponseEntity.notFound().build());
    }

    @PutMapping("/api/v1/aid/accounts/{studentId}")
    @Operation(summary = "Set the student's payee account: own or a household guardian's; bank cards Luhn-checked")
    PayeeAccounts.AccountView setAccount(@PathVariable long studentId,
                                                       @RequestBody PayeeAccounts.AccountEdit edit) {
        return accounts.set(CurrentUser.get(), studentId, edit);
    }

    @GetMapping("/api/v1/aid/funds")
    List<Funds.FundView> funds(@RequestParam(required = false) Integer year) {
        return funds.list(CurrentUser.get(), year);
    }

    @PostMapping("/api/v1/aid/funds")
    @Operation(summary = "Create a funding source with its yearly budget and place in the waterfall")
    ResponseEntity<String> createFund(@RequestBody Funds.NewFund fund,
            @RequestHeader(value = KEY, required = false) String key) {
        return once(key, "create-fund", () -> funds.create(CurrentUser.get(), fund));
    }

    record Budget(BigDecimal budget, int version) {
    }

    @PostMapping("/api/v1/aid/funds/{id}/budget")
    ResponseEntity<String> budget(@PathVariable long id, @RequestBody Budget body,
            @RequestHeader(value = KEY, required = false) String key) {
        return once(key, "budget:" + id, () -> funds.setBudget(CurrentUser.get(), id, body.version(), body.budget()));
    }

    @GetMapping("/api/v1/aid/ledger/check")
    @Operation(summary = "Whether the fund ledger balances to the fen, per fund: budget, allocated, paid, returned, available")
    Funds.LedgerCheck check() {
        return funds.check(CurrentUser.get());
    }
}
