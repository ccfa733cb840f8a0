package org.fuzhi.aid.internal;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fuzhi.aid.Batches;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.StaleEditException;
import org.fuzhi.region.Directory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Payment batches with their maker–checker steps, in {@code aid_batch} and {@code aid_batch_line}. */
@Service
@Transactional(readOnly = true)
class BatchService implements Batches {

    private final JdbcClient jdbc;
    private final org.springframework.jdbc.core.JdbcTemplate batch;
    private final TermService terms;
    private final Directory directory;
    private final AuditLog audit;
    private final org.fuzhi.platform.FieldCrypto crypto;
    private final org.springframework.context.MessageSource messages;

    BatchService(JdbcClient jdbc, org.springframework.jdbc.core.JdbcTemplate batch, TermService terms,
                 Directory directory, AuditLog audit, org.fuzhi.platform.FieldCrypto crypto,
                 org.springframework.context.MessageSource messages) {
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
        return r.status() == Status.PREPARED && u.role() == Role.SCHOOL_REVIEWER && forSchool(u, r.school())
                && !u.username().equals(r.preparedBy());
    }

    private boolean mayApprove(CurrentUser u, Row r) {
        return r.status() == Status.CHECKED && u.role() == Role.CENTER && forSchool(u, r.school())
                && !u.username().equals(r.preparedBy()) && !u.username().equals(r.checkedBy());
    }

    private boolean mayReject(CurrentUser u, Row r) {
        return (r.status() == Status.PREPARED && u.role() == Role.SCHOOL_REVIEWER && forSchool(u, r.school()))
                || ((r.status() == Status.PREPARED || r.status() == Status.CHECKED) && u.role() == Role.CENTER
                && forSchool(u, r.school()));
    }

    private BatchView view(CurrentUser u, Row r) {
        return new BatchView(r.id(), r.termId(), r.school(), directory.school(r.school()).map(s -> s.name())
                .orElse(r.school()), r.status(), r.lines(), r.total(), r.preparedBy(), r.preparedAt(), r.checkedBy(),
                r.checkedAt(), r.approvedBy(), r.approvedAt(), r.reason(), r.version(), mayCheck(u, r),
                mayApprove(u, r), mayReject(u, r));
    }

    @Override
    @Transactional
    public BatchView prepare(CurrentUser user, long termId, String schoolCode) {
        String school = user.scope().type() == Scope.Type.SCHOOL ? user.scope().code() : schoolCode;
        user.require(user.role() == Role.SCHOOL_OPERATOR || user.role() == Role.CENTER);
        TermService.TermRow t = terms.visible(user, termId);
        if (school == null || school.isBlank() || !forSchool(user, school)) {
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
        if (user.role() != Role.SCHOOL_REVIEWER || !forSchool(user, r.school())) {
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
        if (user.role() != Role.CENTER || !forSchool(user, r.school())) {
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

    @Override
    @Transactional
    public long bankFile(CurrentUser user, long batchId, java.io.OutputStream out, java.util.Locale locale) {
        Row r = visible(user, batchId);
        if (user.role() != Role.CENTER || !forSchool(user, r.school())) {
            throw new AccessDeniedException("only the aid center writes bank files");
        }
        if (r.status() != Status.APPROVED) {
            throw new RuleViolationException("aid.rule.bankFileNotApproved");
        }
        long missing = jdbc.sql("""
                SELECT COUNT(*) FROM aid_batch_line l JOIN aid_entitlement e ON e.id = l.entitlement_id
                WHERE l.batch_id = :b AND NOT EXISTS (SELECT 1 FROM aid_account a WHERE a.student_id = e.student_id)""")
                .param("b", batchId).query(Long.class).single();
        if (missing > 0) {
            // A bank file is complete or it is not written: the bank pays what the file says.
            throw new RuleViolationException("aid.rule.missingAccounts", missing);
        }
        java.util.function.Function<String, String> t = k -> messages.getMessage(k, null, locale);
        String school = directory.school(r.school()).map(s -> s.name()).orElse(r.school());
        long[] rows = {0};
        try {
            java.io.Writer w = new java.io.OutputStreamWriter(out, java.nio.charset.StandardCharsets.UTF_8);
            w.write('\uFEFF');
            w.write(String.join(",", t.apply("aid.bank.no"), t.apply("aid.bank.holder"), t.apply("aid.bank.account"),
                    t.apply("aid.bank.amount"), t.apply("aid.bank.bank"), t.apply("aid.student"), t.apply("aid.school"),
                    t.apply("aid.item.name")) + "\r\n");
            List<String[]> lines = jdbc.sql("""
                    SELECT a.holder_name, a.card_sealed, l.amount, a.bank, e.name, i.name AS item
                    FROM aid_batch_line l JOIN aid_entitlement e ON e.id = l.entitlement_id
                    JOIN aid_account a ON a.student_id = e.student_id JOIN aid_item i ON i.id = e.item_id
                    WHERE l.batch_id = :b ORDER BY e.name, e.id""").param("b", batchId)
                    .query((rs, n) -> new String[]{rs.getString(1), rs.getString(2),
                            rs.getBigDecimal(3).setScale(2).toPlainString(), rs.getString(4), rs.getString(5),
                            rs.getString(6)}).list();
            for (String[] l : lines) {
                rows[0]++;
                String number = crypto.open(org.fuzhi.platform.FieldCrypto.Kind.BANK_ACCOUNT, l[1]);
                w.write(String.join(",", String.valueOf(rows[0]), csv(l[0]), number, l[2], csv(l[3]),
                        csv(l[4]), csv(school), csv(l[5])) + "\r\n");
            }
            w.flush();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        audit.record("AID_BANK_FILE", "aidBatch", String.valueOf(batchId), Map.of("rows", rows[0],
                "total", r.total().toPlainString()));
        return rows[0];
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
