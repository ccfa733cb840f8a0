package org.fuzhi.aid;

import java.io.OutputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Tabular;

/**
 * 发放批次 — a school's allocated aid of a term, paid as one batch after three different people have acted: the
 * school's clerk prepares it, the school's reviewer checks it, the aid center approves it (maker–checker; the same
 * person can never take two of the steps). For a school outside the term's area the aid center's own people prepare
 * and check it. Approval moves the money from allocated to payable.
 */
public interface Batches {

    enum Status { PREPARED, CHECKED, APPROVED, REJECTED }

    /**
     * Puts every fully allocated cash entitlement of the school in the term that is in no batch yet into a new
     * batch. A school clerk prepares for their own school; a center for any school of its area.
     */
    BatchView prepare(CurrentUser user, long termId, String schoolCode);

    List<BatchView> list(CurrentUser user, long termId);

    /**
     * Schools outside the term's area whose pupils (children living in the area) hold allocated cash aid of the term
     * that is in no batch yet. No unit of the area stands for such a school, so the term's aid center batches it:
     * one of its people prepares, another checks, a third approves. Empty for anyone but that center.
     */
    List<SchoolDue> outsideSchools(CurrentUser user, long termId);

    /** @param place the county (or the province) the school stands in; null when the directory does not hold it */
    record SchoolDue(String schoolCode, String schoolName, String place, int lines, BigDecimal total) {
    }

    BatchView check(CurrentUser user, long batchId, int expectedVersion);

    BatchView approve(CurrentUser user, long batchId, int expectedVersion);

    /** How a bank file is written: CSV (UTF-8 with BOM, for Excel and the banks' upload pages) or .xlsx. */
    enum FileFormat { CSV, XLSX }

    /**
     * The banks the approved batch pays into, with the lines still to be sent to each (one bank file per bank): the
     * payees' accounts decide. A line whose child has no account yet is counted under a null bank.
     */
    List<BankShare> banks(CurrentUser user, long batchId);

    record BankShare(String bank, int lines, BigDecimal total) {
    }

    /**
     * A bank file of an approved batch: one line per payment with the payee's full account number, for one bank
     * ({@code bank}) or all (null). The first file of a batch fixes every line (attempt, line number, account) for
     * every bank; later files repeat the lines the bank has not answered and the re-issued ones. The aid center only;
     * refused whole when any child of the batch has no account; audited.
     */
    long bankFile(CurrentUser user, long batchId, String bank, FileFormat format, OutputStream out,
                  Locale locale);

    /**
     * Settles the batch's payments from the bank's return file (its rows, header included: line number, account,
     * amount, result, reason). All or nothing: a line that contradicts what was sent — unknown or repeated line,
     * another account or amount — rejects the whole file with the reasons, and nothing changes.
     */
    ReturnResult importReturn(CurrentUser user, long batchId, List<Tabular.Row> rows);

    /** @param problems the reasons the file was rejected (empty when it was applied) */
    record ReturnResult(boolean applied, int paid, int failed, List<String> problems) implements Serializable {
    }

    /** New attempts for the batch's entitlements whose every attempt failed (after their account was fixed). */
    int reissue(CurrentUser user, long batchId);

    /** Sends a batch back with a reason; its entitlements may be put in a new batch. */
    BatchView reject(CurrentUser user, long batchId, int expectedVersion, String reason);

    /** {@code preparedBy}, {@code checkedBy}, {@code approvedBy}: accounts; the {@code …Name}s: their people's names. */
    record BatchView(long id, long termId, String schoolCode, String schoolName, Status status, int lines,
                     BigDecimal total, String preparedBy, Instant preparedAt, String checkedBy, Instant checkedAt,
                     String approvedBy, Instant approvedAt, String reason, int version, boolean mayCheck,
                     boolean mayApprove, boolean mayReject, String preparedByName, String checkedByName,
                     String approvedByName) {
    }
}
