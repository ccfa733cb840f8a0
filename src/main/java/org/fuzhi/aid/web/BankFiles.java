package org.fuzhi.aid.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.fuzhi.aid.Batches;
import org.fuzhi.platform.CurrentUser;

/** Writes a bank file as a download, for the page and the API alike. */
final class BankFiles {

    private BankFiles() {
    }

    static void write(Batches batches, long batchId, String ext, String bank, Locale locale,
                      HttpServletResponse response) throws IOException {
        Batches.FileFormat format = "xlsx".equals(ext) ? Batches.FileFormat.XLSX : Batches.FileFormat.CSV;
        // Written in full before the first byte goes out: a refusal (a child without an account) is then an error
        // page or a JSON error, never half a file the clerk might send to the bank.
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        batches.bankFile(CurrentUser.get(), batchId, bank, format, file, locale);
        response.setContentType(format == Batches.FileFormat.XLSX
                ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv;charset=UTF-8");
        String name = "bank-batch-" + batchId + (bank == null || bank.isBlank() ? "" : "-" + bank.strip()) + "." + ext;
        response.setHeader("Content-Disposition", "attachment; filename=\"bank-batch-" + batchId + "." + ext
                + "\"; filename*=UTF-8''" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
        file.writeTo(response.getOutputStream());
    }
}
