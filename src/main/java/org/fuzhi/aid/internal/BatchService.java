package org.fuzhi.aid.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.fuzhi.aid.Batches;
import org.fuzhi.common.BankCard;
import org.fuzhi.common.RegionCode;
import org.fuzhi.platform.Accounts;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.StaleEditException;
import org.fuzhi.platform.Tabular;
import org.fuzhi.platform.Xlsx;
import org.fuzhi.region.Directory;
import org.fuzhi.region.RegionView;
import org.fuzhi.region.SchoolView;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Payment batches with their maker–checker steps, in {@code aid_batch} and {@code aid_batch_line}. */
@Service
@Transactional(readOnly = true)
class BatchService implements Batches {

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final TermService terms;
    private final Directory directory;
    private final AuditLog audit;
    private final FieldCrypto crypto;
    private final MessageSource messages;

    private final Accounts accounts;

    BatchService(JdbcClient jdbc, JdbcTemplate batch, TermService terms,
                 Directory directory, AuditLog audit, FieldCrypto crypto,
                 MessageSource messages, Accounts accounts) {
        this.accounts = accounts;
        this.crypto = crypto;
        this.messages = messages;
        this.jdbc = jdbc;
        this.batch = batch;
        this.terms = terms;
        this.directory = directory;
        this.audit = audit;
    }

    private record Row(long id, long termId, String school, Status status, int lines, BigDecimal total,
                       String preparedBy, Instant preparedAt, String checkedBy, Instant checkedAt, String approvedBy,
                       Instant approvedAt, String reason, int version) {
    }

    private static Instant at(ResultSet rs, String c) throws SQLException {
        Timestamp t = rs.getTimestamp(c);
        return t == null ? null : t.toInstant();
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        return new Row(rs.getLong("id"), rs.getLong("term_id"), rs.getString("school_code"),
                Status.valueOf(rs.getString("status")), rs.getInt("lines"), rs.getBigDecimal("total").setScale(2),
                rs.getString("prepared_by"), at(rs, "prepared_at"), rs.getString("checked_by"), at(rs, "checked_at"),
                rs.getString("approved_by"), at(rs, "approved_at"), rs.getString("reason"), rs.getInt("version"));
    }

    /** Whether the user acts for this school: its own clerk or reviewer, or a center whose area holds it. */
    private boolean forSchool(CurrentUser user, String school) {
        return switch (user.scope().type()) {
            case SCHOOL -> user.scope().code().equals(school);
            case REGION -> directory.school(school).map(s -> user.scope().containsRegion(s.regionCode())).orElse(false);
            case NONE -> false;
        };
    }

    /**
     * Whether a school lies outside the area of the term that pays its pupils' aid: a child living in the county and
     * taught in the next one, or at a university. No unit of that area stands for the school, so the term's aid
     * center prepares and checks the batch in its place, with two of its people, and a third approves it.
     */
    private boolean outsideArea(String termScope, String school) {
        String prefix = new RegionCode(termScope).prefix();
        return directory.school(school).map(s -> s.regionCode() == null || !s.regionCode().startsWith(prefix))
                .orElse(true);
    }

    private boolean outsideArea(Row r) {
        return outsideArea(termScope(r.termId()), r.school());
    }

    private String termScope(long termId) {
        return jdbc.sql("SELECT scope_code FROM aid_term WHERE id = :id").param("id", termId).query(String.class)
                .single();
    }

    /** The aid center of the term's area (or above it): the one that pays. */
    private static boolean payer(CurrentUser u, String termScope) {
        return u.role() == Role.CENTER && u.scope().type() == Scope.Type.REGION && u.scope().containsRegion(termScope);
    }

    /** Whether a center acts for the batch's school: a school of its area, or one outside the area it pays. */
    private boolean centerFor(CurrentUser u, Row r) {
        return u.role() == Role.CENTER && (forSchool(u, r.school()) || (outsideArea(r) && payer(u, termScope(r.termId()))));
    }

    private Row visible(CurrentUser user, long batchId) {
        Row r = jdbc.sql("SELECT * FROM aid_batch WHERE id = :id").param("id", batchId).query(BatchService::row)
                .optional().orElseThrow(() -> new NotFoundException("batch"));
        terms.visible(user, r.termId());
        if (user.scope().type() == Scope.Type.SCHOOL && !user.scope().code().equals(r.school())) {
            throw new NotFoundException("batch");
        }
        return r;
    }

    private boolean mayCheck(CurrentUser u, Row r) {
        if (r.status() != Status.PREPARED || u.username().equals(r.preparedBy())) {
            return false;
        }
        return outsideArea(r) ? payer(u, termScope(r.termId()))
                : u.role() == Role.SCHOOL_REVIEWER && forSchool(u, r.school());
    }

    private boolean mayApprove(CurrentUser u, Row r) {
        return r.status() == Status.CHECKED && centerFor(u, r)
                && !u.username().equals(r.preparedBy()) && !u.username().equals(r.checkedBy());
    }

    private boolean mayReject(CurrentUser u, Row r) {
        return (r.status() == Status.PREPARED && u.role() == Role.SCHOOL_REVIEWER && forSchool(u, r.school()))
                || ((r.status() == Status.PREPARED || r.status() == Status.CHECKED) && centerFor(u, r));
    }

    private BatchView view(CurrentUser u, Row r) {
        Map<String, String> names = accounts.displayNames(Arrays.asList(r.preparedBy(), r.checkedBy(),
                r.approvedBy()));
        Function<String, String> name = a -> a == null ? null : names.getOrDefault(a, a);
        return new BatchView(r.id(), r.termId(), r.school(), directory.school(r.school()).map(s -> s.name())
                .orElse(r.school()), r.status(), r.lines(), r.total(), r.preparedBy(), r.preparedAt(), r.checkedBy(),
                r.checkedAt(), r.approvedBy(), r.approvedAt(), r.reason(), r.version(), mayCheck(u, r),
                mayApprove(u, r), mayReject(u, r), name.apply(r.preparedBy()), name.apply(r.checkedBy()),
                name.apply(r.approvedBy()));
    }

    @Override
    @Transactional
    public BatchView prepare(CurrentUser user, long termId, String schoolCode) {
        String school = user.scope().type() == Scope.Type.SCHOOL ? user.scope().code() : schoolCode;
        user.require(user.role() == Role.SCHOOL_OPERATOR || user.role() == Role.CENTER);
        TermService.TermRow t = terms.visible(user, termId);
        if (school == null || school.isBlank() || !(forSchool(user, school)
                || (outsideArea(t.scopeCode(), school) && payer(user, t.scopeCode())))) {
            throw new AccessDeniedException("school outside scope");
        }
        // One preparation of a term at a time: the term's row is the lock, so two clerks cannot batch one
        // entitlement twice (the line key would refuse it anyway).
        jdbc.sql("SELECT id FROM aid_term WHERE id = :id FOR UPDATE").param("id", t.id()).query(Long.class).single();
        List<Object[]> due = jdbc.sql("""
                SELECT e.id, e.allocated FROM aid_entitlement e
                WHERE e.term_id = :t AND e.school_code = :s AND e.kind = 'CASH' AND e.status = 'ALLOCATED'
                AND NOT EXISTS (SELECT 1 FROM aid_batch_line l WHERE l.entitlement_id = e.id) ORDER BY e.id""")
                .param("t", termId).param("s", school)
                .query((rs, n) -> new Object[]{rs.getLong(1), rs.getBigDecimal(2)}).list();
        if (due.isEmpty()) {
            throw new RuleViolationException("aid.rule.nothingToBatch");
        }
        BigDecimal total = due.stream().map(d -> (BigDecimal) d[1]).reduce(BigDecimal.ZERO, BigDecimal::add);
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.sql("""
                INSERT INTO aid_batch (term_id, school_code, status, lines, total, prepared_by, prepared_at)
                VALUES (:t, :s, 'PREPARED', :n, :total, :by, :at)""").param("t", termId).param("s", school)
                .param("n", due.size()).param("total", total).param("by", user.username()).param("at", now).update();
        long id = jdbc.sql("SELECT MAX(id) FROM aid_batch WHERE term_id = :t AND school_code = :s AND prepared_by = :by")
                .param("t", termId).param("s", school).param("by", user.username()).query(Long.class).single();
        List<Object[]> lines = new ArrayList<>();
        due.forEach(d -> lines.add(new Object[]{id, d[0], d[1]}));
        batch.batchUpdate("INSERT INTO aid_batch_line (batch_id, entitlement_id, amount) VALUES (?, ?, ?)", lines);
        audit.record("AID_BATCH_PREPARED", "aidBatch", String.valueOf(id), Map.of("term", termId, "school", school,
                "lines", due.size(), "total", total.toPlainString()));
        return view(user, visible(user, id));
    }

    @Override
    public List<BatchView> list(CurrentUser user, long termId) {
        terms.visible(user, termId);
        return jdbc.sql("SELECT * FROM aid_batch WHERE term_id = :t ORDER BY school_code, id").param("t", termId)
                .query(BatchService::row).list().stream()
                .filter(r -> user.scope().type() != Scope.Type.SCHOOL || user.scope().code().equals(r.school()))
                .map(r -> view(user, r)).toList();
    }

    @Override
    public List<SchoolDue> outsideSchools(CurrentUser user, long termId) {
        TermService.TermRow t = terms.visible(user, termId);
        if (!payer(user, t.scopeCode())) {
            return List.of();
        }
        List<SchoolDue> out = new ArrayList<>();
        jdbc.sql("""
                SELECT e.school_code, COUNT(*), SUM(e.allocated) FROM aid_entitlement e
                WHERE e.term_id = :t AND e.kind = 'CASH' AND e.status = 'ALLOCATED'
                AND NOT EXISTS (SELECT 1 FROM aid_batch_line l WHERE l.entitlement_id = e.id)
                GROUP BY e.school_code ORDER BY e.school_code""").param("t", termId).query(rs -> {
            String code = rs.getString(1);
            if (outsideArea(t.scopeCode(), code)) {
                var school = directory.school(code);
                String region = school.map(SchoolView::regionCode).orElse(null);
                // The county, else the province; null when the directory does not hold the place.
                String place = region == null || region.length() < 6 ? null
                        : directory.region(region.substring(0, 6) + "000000")
                        .or(() -> directory.region(region.substring(0, 2) + "0000000000"))
                        .map(RegionView::name).orElse(null);
                out.add(new SchoolDue(code, school.map(SchoolView::name).orElse(code), place,
                        rs.getInt(2), rs.getBigDecimal(3).setScale(2)));
            }
        });
        return out;
    }

    /**
     * Moves a batch from one state to the next only if it is still in the state the user saw: of two requests at
     * the same moment one changes it, the other is refused.
     */
    private void move(Row r, int expectedVersion, Status from, String set, Map<String, Object> params) {
        if (r.version() != expectedVersion) {
            throw new StaleEditException("batch " + r.id());
        }
        var q = jdbc.sql("UPDATE aid_batch SET " + set + ", version = version + 1 WHERE id = :id AND status = :from "
                + "AND version = :v").param("id", r.id()).param("from", from.name()).param("v", expectedVersion);
        for (var e : params.entrySet()) {
            q = q.param(e.getKey(), e.getValue());
        }
        if (q.update() == 0) {
            throw new RuleViolationException("aid.rule.batchMoved");
        }
    }

    @Override
    @Transactional
    public BatchView check(CurrentUser user, long batchId, int expectedVersion) {
        Row r = visible(user, batchId);
        boolean outside = outsideArea(r);
        if (outside ? !payer(user, termScope(r.termId()))
                : user.role() != Role.SCHOOL_REVIEWER || !forSchool(user, r.school())) {
            throw new AccessDeniedException("only the school's reviewer checks a batch");
        }
        if (user.username().equals(r.preparedBy())) {
            throw new RuleViolationException("aid.rule.sameAsPreparer");
        }
        if (r.status() != Status.PREPARED) {
            throw new RuleViolationException("aid.rule.batchIs." + r.status().name());
        }
        move(r, expectedVersion, Status.PREPARED, "status = 'CHECKED', checked_by = :by, checked_at = :at",
                Map.of("by", user.username(), "at", Timestamp.from(Instant.now())));
        audit.record("AID_BATCH_CHECKED", "aidBatch", String.valueOf(batchId), Map.of("lines", r.lines()));
        return view(user, visible(user, batchId));
    }

    @Override
    @Transactional
    public BatchView approve(CurrentUser user, long batchId, int expectedVersion) {
        Row r = visible(user, batchId);
        if (!centerFor(user, r)) {
            throw new AccessDeniedException("only the aid center approves a batch");
        }
        if (user.username().equals(r.preparedBy()) || user.username().equals(r.checkedBy())) {
            throw new RuleViolationException("aid.rule.sameAsPreparer");
        }
        if (r.status() != Status.CHECKED) {
            throw new RuleViolationException("aid.rule.batchIs." + r.status().name());
        }
        Timestamp now = Timestamp.from(Instant.now());
        move(r, expectedVersion, Status.CHECKED, "status = 'APPROVED', approved_by = :by, approved_at = :at",
                Map.of("by", user.username(), "at", now));
        // The approved money becomes payable, fund by fund: one ledger entry per fund of the batch.
        jdbc.sql("""
                INSERT INTO aid_ledger (fund_id, debit, credit, amount, operation, term_id, actor, at)
                SELECT a.fund_id, 'PAYABLE', 'ALLOCATED', SUM(a.amount), 'APPROVE', :t, :by, :at
                FROM aid_batch_line l JOIN aid_allocation a ON a.entitlement_id = l.entitlement_id
                WHERE l.batch_id = :b GROUP BY a.fund_id""").param("t", r.termId()).param("by", user.username())
                .param("at", now).param("b", batchId).update();
        jdbc.sql("UPDATE aid_entitlement SET status = 'APPROVED' WHERE id IN (SELECT entitlement_id FROM aid_batch_line "
                + "WHERE batch_id = :b)").param("b", batchId).update();
        audit.record("AID_BATCH_APPROVED", "aidBatch", String.valueOf(batchId), Map.of("lines", r.lines(),
                "total", r.total().toPlainString()));
        return view(user, visible(user, batchId));
    }

    private void requireCenterOf(CurrentUser user, Row r, String what) {
        if (!centerFor(user, r)) {
            throw new AccessDeniedException("only the aid center " + what);
        }
    }

    @Override
    public List<BankShare> banks(CurrentUser user, long batchId) {
        Row r = visible(user, batchId);
        requireCenterOf(user, r, "writes bank files");
        if (r.status() != Status.APPROVED) {
            return List.of();
        }
        boolean fixed = jdbc.sql("SELECT COUNT(*) FROM aid_payment WHERE batch_id = :b").param("b", batchId)
                .query(Long.class).single() > 0;
        // Before the first file the batch's lines, after it the payments the bank has not answered yet.
        String due = fixed
                ? "SELECT p.entitlement_id, p.amount FROM aid_payment p WHERE p.batch_id = :b AND p.status = 'SENT'"
                : "SELECT l.entitlement_id, l.amount FROM aid_batch_line l WHERE l.batch_id = :b";
        return jdbc.sql("SELECT a.bank, COUNT(*), SUM(d.amount) FROM (" + due + ") d "
                        + "JOIN aid_entitlement e ON e.id = d.entitlement_id "
                        + "LEFT JOIN aid_account a ON a.student_id = e.student_id GROUP BY a.bank ORDER BY a.bank")
                .param("b", batchId).query((rs, n) -> new BankShare(rs.getString(1), rs.getInt(2),
                        rs.getBigDecimal(3).setScale(2))).list();
    }

    @Override
    @Transactional
    public long bankFile(CurrentUser user, long batchId, String bank, FileFormat format, OutputStream out,
                         Locale locale) {
        Row r = visible(user, batchId);
        requireCenterOf(user, r, "writes bank files");
        if (r.status() != Status.APPROVED) {
            throw new RuleViolationException("aid.rule.bankFileNotApproved");
        }
        jdbc.sql("SELECT id FROM aid_batch WHERE id = :id FOR UPDATE").param("id", batchId).query(Long.class).single();
        fixLines(batchId);
        Function<String, String> t = k -> messages.getMessage(k, null, locale);
        String school = directory.school(r.school()).map(s -> s.name()).orElse(r.school());
        String forBank = bank == null || bank.isBlank() ? null : bank.strip();
        // The payments the bank has not answered yet: the same file again until its return is imported, then the
        // re-issued lines.
        List<String[]> lines = jdbc.sql("""
                SELECT p.line_no, a.holder_name, a.card_sealed, a.card_index, p.account_index, p.amount, a.bank, e.name,
                       i.name AS item
                FROM aid_payment p JOIN aid_entitlement e ON e.id = p.entitlement_id
                JOIN aid_account a ON a.student_id = e.student_id JOIN aid_item i ON i.id = e.item_id
                WHERE p.batch_id = :b AND p.status = 'SENT'""" + (forBank == null ? "" : " AND a.bank = :bank")
                        + " ORDER BY p.line_no").param("b", batchId).params(forBank == null ? Map.of() : Map.of("bank", forBank))
                .query((rs, n) -> new String[]{String.valueOf(rs.getInt(1)), rs.getString(2), rs.getString(3),
                        rs.getString(4).strip(), rs.getString(5).strip(), rs.getBigDecimal(6).setScale(2).toPlainString(),
                        rs.getString(7), rs.getString(8), rs.getString(9)}).list();
        if (lines.isEmpty()) {
            throw new RuleViolationException("aid.rule.nothingToSend");
        }
        List<String> header = List.of(t.apply("aid.bank.no"), t.apply("aid.bank.holder"), t.apply("aid.bank.account"),
                t.apply("aid.bank.amount"), t.apply("aid.bank.bank"), t.apply("aid.student"), t.apply("aid.school"),
                t.apply("aid.item.name"));
        BigDecimal total = BigDecimal.ZERO;
        List<List<String>> rows = new ArrayList<>(lines.size());
        for (String[] l : lines) {
            if (!l[3].equals(l[4])) {
                // The account changed after the line was fixed: the line goes to the account it names.
                throw new RuleViolationException("aid.rule.accountChangedSinceSent", l[0]);
            }
            String number = crypto.open(FieldCrypto.Kind.BANK_ACCOUNT, l[2]);
            rows.add(List.of(l[0], l[1], number, l[5], l[6], l[7], school, l[8]));
            total = total.add(new BigDecimal(l[5]));
            if (rows.size() % 1000 == 0) {
                Jobs.progress().done(rows.size());
            }
        }
        try {
            if (format == FileFormat.XLSX) {
                try (Xlsx x = new Xlsx(out, t.apply("aid.batch.bankFile"), header)) {
                    rows.forEach(x::row);
                }
            } else {
                Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                w.write('\uFEFF');
                w.write(String.join(",", header) + "\r\n");
                for (List<String> row : rows) {
                    w.write(String.join(",", row.stream().map(BatchService::csv).toList()) + "\r\n");
                }
                w.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        audit.record("AID_BANK_FILE", "aidBatch", String.valueOf(batchId), Map.of("rows", rows.size(),
                "total", total.toPlainString(), "bank", forBank == null ? "" : forBank, "format", format.name()));
        return rows.size();
    }

    /** The first bank file of a batch fixes its lines: each is attempt 1 of one entitlement, to the account it names. */
    private void fixLines(long batchId) {
        boolean first = jdbc.sql("SELECT COUNT(*) FROM aid_payment WHERE batch_id = :b").param("b", batchId)
                .query(Long.class).single() == 0;
        if (!first) {
            return;
        }
        long missing = jdbc.sql("""
                SELECT COUNT(*) FROM aid_batch_line l JOIN aid_entitlement e ON e.id = l.entitlement_id
                WHERE l.batch_id = :b AND NOT EXISTS (SELECT 1 FROM aid_account a WHERE a.student_id = e.student_id)""")
                .param("b", batchId).query(Long.class).single();
        if (missing > 0) {
            // A bank file is complete or it is not written: the bank pays what the file says.
            throw new RuleViolationException("aid.rule.missingAccounts", missing);
        }
        List<Object[]> lines = jdbc.sql("""
                SELECT l.entitlement_id, a.card_index, l.amount FROM aid_batch_line l
                JOIN aid_entitlement e ON e.id = l.entitlement_id JOIN aid_account a ON a.student_id = e.student_id
                WHERE l.batch_id = :b ORDER BY a.bank, e.name, e.id""").param("b", batchId)
                .query((rs, n) -> new Object[]{batchId, rs.getLong(1), 1, n + 1, rs.getString(2),
                        rs.getBigDecimal(3)}).list();
        batch.batchUpdate("INSERT INTO aid_payment (batch_id, entitlement_id, attempt, line_no, account_index, "
                + "amount, status) VALUES (?, ?, ?, ?, ?, ?, 'SENT')", lines);
    }

    @Override
    @Transactional
    public ReturnResult importReturn(CurrentUser user, long batchId, List<Tabular.Row> rows) {
        Row r = visible(user, batchId);
        requireCenterOf(user, r, "imports bank returns");
        jdbc.sql("SELECT id FROM aid_batch WHERE id = :id FOR UPDATE").param("id", batchId).query(Long.class).single();
        record Sent(long id, long entitlement, String account, BigDecimal amount) {
        }
        Map<Integer, Sent> sent = new HashMap<>();
        jdbc.sql("SELECT id, entitlement_id, line_no, account_index, amount FROM aid_payment WHERE batch_id = :b "
                + "AND status = 'SENT'").param("b", batchId).query(rs -> {
            sent.put(rs.getInt(3), new Sent(rs.getLong(1), rs.getLong(2), rs.getString(4).strip(),
                    rs.getBigDecimal(5).setScale(2)));
        });
        List<String> problems = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        List<Object[]> paid = new ArrayList<>();
        List<Object[]> failed = new ArrayList<>();
        boolean firstRow = true;
        for (Tabular.Row row : rows) {
            int n = row.rowNo();
            List<String> c = row.cells();
            boolean header = firstRow && (c.isEmpty() || c.get(0).isBlank()
                    || !Character.isDigit(c.get(0).strip().charAt(0)));
            firstRow = false;
            if (header || c.stream().allMatch(v -> v == null || v.isBlank())) {
                continue; // the header and blank rows
            }
            if (c.size() < 4) {
                problems.add(msg("aid.return.columns", n));
                continue;
            }
            Integer line;
            try {
                line = Integer.valueOf(c.get(0).strip());
            } catch (NumberFormatException e) {
                problems.add(msg("aid.return.lineNo", n, c.get(0).strip()));
                continue;
            }
            if (!seen.add(line)) {
                problems.add(msg("aid.return.repeated", n, line));
                continue;
            }
            Sent s = sent.get(line);
            if (s == null) {
                problems.add(msg("aid.return.unknown", n, line));
                continue;
            }
            String number = BankCard.normalise(c.get(1));
            if (number == null || !crypto.index(number).equals(s.account())) {
                problems.add(msg("aid.return.account", n, line));
            }
            BigDecimal amount;
            try {
                amount = new BigDecimal(c.get(2).strip()).setScale(2);
            } catch (NumberFormatException | ArithmeticException e) {
                amount = null;
            }
            if (amount == null || amount.compareTo(s.amount()) != 0) {
                problems.add(msg("aid.return.amount", n, line, s.amount().toPlainString()));
            }
            String result = c.get(3).strip();
            if (result.equals("成功") || result.equalsIgnoreCase("SUCCESS")) {
                paid.add(new Object[]{s.id(), s.entitlement()});
            } else if (result.equals("失败") || result.equalsIgnoreCase("FAILED")) {
                failed.add(new Object[]{s.id(), s.entitlement(), c.size() > 4 ? c.get(4).strip() : ""});
            } else {
                problems.add(msg("aid.return.result", n, result));
            }
        }
        if (!problems.isEmpty()) {
            audit.record("AID_RETURN_REJECTED", "aidBatch", String.valueOf(batchId), Map.of("problems", problems.size()));
            return new ReturnResult(false, 0, 0, problems);
        }
        if (paid.isEmpty() && failed.isEmpty()) {
            throw new RuleViolationException("aid.rule.emptyReturn");
        }
        Timestamp now = Timestamp.from(Instant.now());
        settle(r, paid, "PAID", "PAID", "PAY", user, now);
        settle(r, failed, "FAILED", "RETURNED", "RETURN", user, now);
        for (Object[] f : failed) {
            jdbc.sql("UPDATE aid_payment SET reason = :r WHERE id = :id").param("r", truncate((String) f[2]))
                    .param("id", f[0]).update();
        }
        audit.record("AID_RETURN_IMPORTED", "aidBatch", String.valueOf(batchId), Map.of("paid", paid.size(),
                "failed", failed.size()));
        return new ReturnResult(true, paid.size(), failed.size(), List.of());
    }

    private static String truncate(String s) {
        return s == null ? null : s.length() > 200 ? s.substring(0, 200) : s;
    }

    /** Marks payments settled and moves their money from PAYABLE, fund by fund as the entitlements were funded. */
    private void settle(Row r, List<Object[]> payments, String status, String account, String operation,
                        CurrentUser user, Timestamp now) {
        if (payments.isEmpty()) {
            return;
        }
        List<Long> ids = payments.stream().map(p -> (Long) p[0]).toList();
        List<Long> entitlements = payments.stream().map(p -> (Long) p[1]).toList();
        jdbc.sql("UPDATE aid_payment SET status = :s, settled_at = :at WHERE id IN (:ids)").param("s", status)
                .param("at", now).param("ids", ids).update();
        jdbc.sql("UPDATE aid_entitlement SET status = :s WHERE id IN (:ids)").param("s", status)
                .param("ids", entitlements).update();
        jdbc.sql("""
                INSERT INTO aid_ledger (fund_id, debit, credit, amount, operation, term_id, actor, at)
                SELECT a.fund_id, :debit, 'PAYABLE', SUM(a.amount), :op, :t, :by, :at FROM aid_allocation a
                WHERE a.entitlement_id IN (:e) GROUP BY a.fund_id""").param("debit", account).param("op", operation)
                .param("t", r.termId()).param("by", user.username()).param("at", now).param("e", entitlements).update();
    }

    @Override
    @Transactional
    public int reissue(CurrentUser user, long batchId) {
        Row r = visible(user, batchId);
        requireCenterOf(user, r, "re-issues payments");
        jdbc.sql("SELECT id FROM aid_batch WHERE id = :id FOR UPDATE").param("id", batchId).query(Long.class).single();
        // Only an entitlement whose every attempt failed: never one that may still be paid or was paid.
        List<Object[]> again = jdbc.sql("""
                SELECT p.entitlement_id, MAX(p.attempt), MIN(p.amount), a.card_index FROM aid_payment p
                JOIN aid_entitlement e ON e.id = p.entitlement_id JOIN aid_account a ON a.student_id = e.student_id
                WHERE p.batch_id = :b GROUP BY p.entitlement_id, a.card_index
                HAVING SUM(CASE WHEN p.status = 'FAILED' THEN 0 ELSE 1 END) = 0""").param("b", batchId)
                .query((rs, n) -> new Object[]{rs.getLong(1), rs.getInt(2) + 1, rs.getBigDecimal(3), rs.getString(4)})
                .list();
        if (again.isEmpty()) {
            throw new RuleViolationException("aid.rule.nothingToReissue");
        }
        int next = jdbc.sql("SELECT COALESCE(MAX(line_no), 0) FROM aid_payment WHERE batch_id = :b").param("b", batchId)
                .query(Integer.class).single();
        List<Object[]> rows = new ArrayList<>();
        for (Object[] a : again) {
            rows.add(new Object[]{batchId, a[0], a[1], ++next, a[3], a[2]});
        }
        batch.batchUpdate("INSERT INTO aid_payment (batch_id, entitlement_id, attempt, line_no, account_index, amount, "
                + "status) VALUES (?, ?, ?, ?, ?, ?, 'SENT')", rows);
        List<Long> entitlements = again.stream().map(a -> (Long) a[0]).toList();
        jdbc.sql("UPDATE aid_entitlement SET status = 'APPROVED' WHERE id IN (:ids)").param("ids", entitlements).update();
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.sql("""
                INSERT INTO aid_ledger (fund_id, debit, credit, amount, operation, term_id, actor, at)
                SELECT a.fund_id, 'PAYABLE', 'RETURNED', SUM(a.amount), 'REISSUE', :t, :by, :at FROM aid_allocation a
                WHERE a.entitlement_id IN (:e) GROUP BY a.fund_id""").param("t", r.termId()).param("by", user.username())
                .param("at", now).param("e", entitlements).update();
        audit.record("AID_PAYMENT_REISSUED", "aidBatch", String.valueOf(batchId), Map.of("lines", rows.size()));
        return rows.size();
    }

    private String msg(String key, Object... args) {
        return messages.getMessage(key, args, LocaleContextHolder.getLocale());
    }

    /** A CSV field: quoted when it holds a comma or quote; a leading formula character neutralised. */
    private static String csv(String v) {
        String s = v == null ? "" : v;
        if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0) {
            s = "'" + s;
        }
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    @Override
    @Transactional
    public BatchView reject(CurrentUser user, long batchId, int expectedVersion, String reason) {
        Row r = visible(user, batchId);
        if (!mayReject(user, r)) {
            if (r.status() == Status.APPROVED || r.status() == Status.REJECTED) {
                throw new RuleViolationException("aid.rule.batchIs." + r.status().name());
            }
            throw new AccessDeniedException("may not reject this batch");
        }
        if (reason == null || reason.isBlank() || reason.length() > 300) {
            throw new RuleViolationException("aid.rule.rejectReason");
        }
        move(r, expectedVersion, r.status(), "status = 'REJECTED', reason = :reason",
                Map.of("reason", reason.strip()));
        jdbc.sql("DELETE FROM aid_batch_line WHERE batch_id = :b").param("b", batchId).update();
        audit.record("AID_BATCH_REJECTED", "aidBatch", String.valueOf(batchId), Map.of("reason", reason.strip()));
        return view(user, visible(user, batchId));
    }
}
