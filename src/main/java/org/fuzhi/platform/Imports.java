package org.fuzhi.platform;

import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** 导入 — runs an import file through its {@link ImportKind} with the guarantees of SPEC §2.2. */
public interface Imports {

    /**
     * Validates every row and writes the accepted ones in one transaction (none when {@code dryRun}).
     * The original file is kept with the import record.
     *
     * @throws RefusedException when the file as a whole cannot be imported (not a spreadsheet, empty, wrong columns)
     */
    Result run(String kind, Path file, String originalFilename, boolean dryRun, Locale locale);

    /**
     * Imports the file of the user's own dry run, as it was kept, without uploading it again: every row is checked
     * again (the data may have changed since) and the accepted ones written. A dry run is imported once.
     *
     * @throws RuleViolationException when it is not a dry run or its rows were already imported
     */
    Result commit(String dryRunId, Locale locale);

    List<ImportKind> kinds();

    Optional<ImportKind> kind(String name);

    Optional<Summary> find(String importId);

    List<Summary> recent(int limit);

    /** An import's result as it was answered (first errors, notes), for whoever may {@link #find} it. */
    Optional<Result> result(String importId);

    /**
     * The rejected rows of an import as .xlsx, as they were sent: the row number, the file's own columns and a last
     * column with the problems. The clerk corrects the rows and uploads the workbook again as it is (the row-number
     * and problem columns are ignored on upload).
     */
    void writeErrorReport(String importId, OutputStream out, Locale locale);

    void writeTemplate(ImportKind kind, boolean csv, OutputStream out, Locale locale);

    /** Localised header label of a column. */
    String columnLabel(ImportKind kind, String column, Locale locale);

    record RowError(int row, String field, String message) implements Serializable {
    }

    /** @param notes what the file changes as a whole, in words (a roster: who is added, removed, changed) */
    record Result(String importId, String kind, boolean dryRun, int accepted, int rejected, List<RowError> errors,
                  boolean errorsTruncated, List<String> notes) implements Serializable {
    }

    record Summary(String importId, String kind, String originalFilename, boolean dryRun, String status,
                   int accepted, int rejected, String message, String createdBy, Instant createdAt) {
    }

    /** The whole file is refused; nothing was written. */
    final class RefusedException extends RuntimeException {
        private final String importId;

        public RefusedException(String importId, String message) {
            super(message);
            this.importId = importId;
        }

        public String importId() {
            return importId;
        }
    }
}
