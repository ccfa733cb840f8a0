package org.fuzhi.aid.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import org.fuzhi.aid.Batches;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Downloads;
import org.fuzhi.platform.Exports;
import org.springframework.context.MessageSource;

/** Writes a bank file as a download, for the page and the API alike: at once when small, as a job when large. */
final class BankFiles {

    private BankFiles() {
    }

    static void write(Exports exports, Batches batches, MessageSource messages, long batchId, String ext, String bank,
                      Locale locale, HttpServletRequest request, HttpServletResponse response) throws IOException {
        Batches.FileFormat format = "xlsx".equals(ext) ? Batches.FileFormat.XLSX : Batches.FileFormat.CSV;
        CurrentUser user = CurrentUser.get();
        String wanted = bank == null || bank.isBlank() ? null : bank.strip();
        // The lines still due, as the banks' shares say (this also refuses a user who may not write bank files).
        long rows = batches.banks(user, batchId).stream()
                .filter(s -> wanted == null || wanted.equals(s.bank())).mapToLong(Batches.BankShare::lines).sum();
        String name = "bank-batch-" + batchId + (wanted == null ? "" : "-" + wanted) + "." + ext;
        String type = format == Batches.FileFormat.XLSX ? Downloads.XLSX : "text/csv;charset=UTF-8";
        if (exports.asJob(request, rows)) {
            // A job's file is deleted when the work fails, so a refusal (a child without an account) never leaves
            // half a file to send to the bank.
            exports.send(request, response, new Exports.Export("bank-file-" + batchId + "-" + ext, rows,
                    messages.getMessage("job.title.exportBankFile", new Object[]{String.valueOf(batchId), rows}, locale), "/aid",
                    name, type, out -> batches.bankFile(user, batchId, wanted, format, out, locale)));
            return;
        }
        // Written in full before the first byte goes out: a refusal is then an error page or a JSON error, never
        // half a file the clerk might send to the bank.
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        batches.bankFile(user, batchId, wanted, format, file, locale);
        Downloads.prepare(response, type, name);
        file.writeTo(response.getOutputStream());
    }
}
