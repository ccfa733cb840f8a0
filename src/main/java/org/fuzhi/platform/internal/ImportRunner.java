package org.fuzhi.platform.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.BulkRows;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.ImportContext;
import org.fuzhi.platform.ImportKind;
import org.fuzhi.platform.ImportRow;
import org.fuzhi.platform.Imports;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.Places;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.Tabular;
import org.fuzhi.platform.Xlsx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

@Service
class ImportRunner implements Imports {

    private static final Logger log = LoggerFactory.getLogger(ImportRunner.class);
    static final int CHUNK = 1000;
    static final int MAX_ERRORS_IN_RESPONSE = 1000;

    private final Map<String, ImportKind> kinds = new LinkedHashMap<>();
    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final MessageSource messages;
    private final AuditLog audit;
    private final TransactionTemplate mainTx;
    private final TransactionTemplate sideTx;
    private final Path storage;
    /** Rows per file: a larger file is refused whole, before anything is written (split it by township or school). */
    private final int maxRows;
    /** Row errors kept per import for the downloadable report; the count of all of them is kept regardless. */
    private final int maxStoredErrors;
    private final ObjectProvider<Places> places;
    private final FieldCrypto crypto;
    private final ObjectProvider<io.micrometer.core.instrument.MeterRegistry> meters;

    private final BulkRows bulk;

    ImportRunner(List<ImportKind> kinds, JdbcClient jdbc, JdbcTemplate batch,
                 MessageSource messages, AuditLog audit,
                 PlatformTransactionManager txm, @Value("${fuzhi.storage.dir:./data/files}") String storageDir,
                 @Value("${fuzhi.import.max-rows:5000000}") int maxRows,
                 @Value("${fuzhi.import.max-stored-errors:100000}") int maxStoredErrors,
                 ObjectProvider<Places> places,
                 FieldCrypto crypto,
                 ObjectProvider<io.micrometer.core.instrument.MeterRegistry> meters,
                 BulkRows bulk) {
        this.bulk = bulk;
        this.meters = meters;
        this.places = places;
        this.crypto = crypto;
        this.maxRows = maxRows;
        this.maxStoredErrors = maxStoredErrors;
        kinds.forEach(k -> this.kinds.put(k.name(), k));
        this.jdbc = jdbc;
        this.batch = batch;
        this.messages = messages;
        this.audit = audit;
        this.mainTx = new TransactionTemplate(txm);
        this.sideTx = new TransactionTemplate(txm);
        this.sideTx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.storage = Path.of(storageDir);
    }

    @Override
    public List<ImportKind> kinds() {
        return List.copyOf(kinds.values());
    }

    @Override
    public Optional<ImportKind> kind(String name) {
        return Optional.ofNullable(kinds.get(name));
    }

    @Override
    public Result run(String kindName, Path file, String originalFilename, boolean dryRun, Locale locale) {
        ImportKind kind = kind(kindName).orElseThrow(() -> new IllegalArgumentException("unknown import kind"));
        CurrentUser user = CurrentUser.get();
        if (!kind.mayImport(user.role())) {
            // Refused before anything is kept: a role that may not import this kind leaves no file behind.
            throw new AccessDeniedException("role may not import " + kind.name());
        }
        String id = UUID.randomUUID().toString();
        String safeName = safeFileName(originalFilename);
        Path kept = keep(file, id, safeName);
        sideTx.executeWithoutResult(s -> jdbc.sql("""
                INSERT INTO import_job (id, kind, original_filename, stored_path, content_sha256, size_bytes, dry_run,
                                        status, accepted, rejected, created_by, created_at, scope_type, scope_code,
                                        scope_region, job_id)
                VALUES (:id, :kind, :name, :path, :sha, :size, :dry, 'RUNNING', 0, 0, :by, :at, :st, :sc, :sr, :job)""")
                .param("job", Jobs.progress().jobId())
                .param("st", user.scope().type().name()).param("sc", user.scope().code())
                .param("sr", regionOf(user.scope()))
                .param("id", id).param("kind", kind.name()).param("name", safeName).param("path", kept.toString())
                .param("sha", sha256(file)).param("size", size(file)).param("dry", dryRun)
                .param("by", user.username()).param("at", Timestamp.from(Instant.now())).update());

        Tabular.Format format;
        try {
            // The clear upload is read; what is kept is sealed (ADR 0011).
            format = Tabular.formatOf(safeName, file);
        } catch (Tabular.UnreadableException e) {
            throw refuse(id, kind, messages.getMessage(e.messageKey(), null, locale), dryRun);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        ImportContext ctx = new ImportContext(user, messages, locale, kind.name(), id);
        var progress = Jobs.progress();
        progress.phase("job.phase.import");
        progress.total(format == Tabular.Format.CSV ? Math.max(0, lines(file) - 1) : 0);
        List<RowError> shown = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int[] counts = new int[3]; // data rows, rejected rows, errors stored
        boolean[] truncated = {false};
        try {
            mainTx.executeWithoutResult(status -> {
                String[][] header = {null};
                List<ImportRow> chunk = new ArrayList<>(CHUNK);
                try {
                    Tabular.read(file, format, (rowNo, cells) -> {
                        if (header[0] == null) {
                            header[0] = mapHeader(kind, cells, locale);
                            return;
                        }
                        Map<String, String> values = new HashMap<>();
                        for (int i = 0; i < header[0].length; i++) {
                            if (header[0][i] == null) {
                                continue;
                            }
                            String v = i < cells.size() && cells.get(i) != null ? unneutralise(cells.get(i).strip()) : "";
                            values.put(header[0][i], v);
                        }
                        chunk.add(new ImportRow(rowNo, values));
                        if (counts[0] + chunk.size() > maxRows) {
                            throw new RefusalSignal(messages.getMessage("import.refused.tooManyRows",
                                    new Object[]{maxRows}, locale));
                        }
                        if (chunk.size() >= CHUNK) {
                            processChunk(kind, chunk, ctx, id, shown, counts, truncated);
                        }
                    });
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                if (header[0] == null) {
                    throw new RefusalSignal(messages.getMessage("import.refused.empty", null, locale));
                }
                if (!chunk.isEmpty()) {
                    processChunk(kind, chunk, ctx, id, shown, counts, truncated);
                }
                if (counts[0] == 0) {
                    throw new RefusalSignal(messages.getMessage("import.refused.empty", null, locale));
                }
                progress.phase("job.phase.importSummary");
                notes.addAll(kind.summarize(ctx));
                if (dryRun) {
                    status.setRollbackOnly();
                }
            });
        } catch (RefusalSignal r) {
            throw refuse(id, kind, r.getMessage(), dryRun);
        } catch (Tabular.UnreadableException e) {
            throw refuse(id, kind, messages.getMessage(e.messageKey(), null, locale), dryRun);
        } catch (Jobs.CancelledException e) {
            finish(id, "FAILED", 0, 0, messages.getMessage("job.cancelled", null, locale));
            throw e;
        } catch (RuntimeException e) {
            log.error("import {} failed", id, e);
            finish(id, "FAILED", 0, 0, messages.getMessage("import.failed", null, locale));
            throw e;
        }
        int accepted = counts[0] - counts[1];
        finish(id, dryRun ? "DRY_RUN" : "DONE", accepted, counts[1], null);
        if (!dryRun && accepted >= ANALYZE_AFTER_ROWS) {
            analyze();
        }
        var registry = meters.getIfAvailable();
        if (registry != null) {
            registry.counter("fuzhi.import.rows", "kind", kind.name(), "outcome", "accepted", "dryRun",
                    String.valueOf(dryRun)).increment(accepted);
            registry.counter("fuzhi.import.rows", "kind", kind.name(), "outcome", "rejected", "dryRun",
                    String.valueOf(dryRun)).increment(counts[1]);
        }
        if (!notes.isEmpty()) {
            sideTx.executeWithoutResult(s -> jdbc.sql("UPDATE import_job SET notes = :n WHERE id = :id")
                    .param("n", truncate(String.join("\n", notes), 4000)).param("id", id).update());
        }
        audit.record(dryRun ? "IMPORT_DRY_RUN" : "IMPORT", "import", id,
                Map.of("kind", kind.name(), "file", safeName, "accepted", accepted, "rejected", counts[1]));
        return new Result(id, kind.name(), dryRun, accepted, counts[1], shown, truncated[0], List.copyOf(notes));
    }

    @Override
    public Result commit(String dryRunId, Locale locale) {
        CurrentUser user = CurrentUser.get();
        Summary dry = find(dryRunId).filter(s -> s.createdBy().equals(user.username()))
                .orElseThrow(() -> new AccessDeniedException("not your import"));
        if (!dry.dryRun() || !"DRY_RUN".equals(dry.status())) {
            throw new RuleViolationException("import.rule.notDryRun");
        }
        // Claimed before the work starts: a second click (or a second tab) finds it taken.
        int claimed = sideTx.execute(s -> jdbc.sql(
                "UPDATE import_job SET committed_as = 'RUNNING' WHERE id = :id AND committed_as IS NULL")
                .param("id", dryRunId).update());
        if (claimed == 0) {
            throw new RuleViolationException("import.rule.alreadyCommitted");
        }
        Path tmp = null;
        Result r;
        try {
            tmp = openKept(dryRunId);
            r = run(dry.kind(), tmp, dry.originalFilename(), false, locale);
        } catch (RuntimeException e) {
            // Nothing was written (the import is one transaction): the dry run may be imported again.
            sideTx.executeWithoutResult(s -> jdbc.sql("UPDATE import_job SET committed_as = NULL WHERE id = :id")
                    .param("id", dryRunId).update());
            throw e;
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file the system cleans up
                }
            }
        }
        sideTx.executeWithoutResult(s -> jdbc.sql("UPDATE import_job SET committed_as = :n WHERE id = :id")
                .param("n", r.importId()).param("id", dryRunId).update());
        return r;
    }

    /** The kept original of an import, opened into a temporary file the caller deletes. */
    private Path openKept(String importId) {
        String stored = jdbc.sql("SELECT stored_path FROM import_job WHERE id = :id").param("id", importId)
                .query(String.class).single();
        Path tmp = null;
        try {
            tmp = Files.createTempFile("fuzhi-kept-", ".upload");
            try (var in = crypto.opening(Files.newInputStream(Path.of(stored)), "import:" + importId + "/original")) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return tmp;
        } catch (IOException | RuntimeException e) {
            // The opened copy holds every ID of the list in clear: never left behind.
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private void processChunk(ImportKind kind, List<ImportRow> chunk, ImportContext ctx, String id,
                              List<RowError> shown, int[] counts, boolean[] truncated) {
        kind.importChunk(List.copyOf(chunk), ctx);
        counts[0] += chunk.size();
        Jobs.progress().done(counts[0]);
        chunk.clear();
        Map<Integer, Map<String, String>> errors = drain(ctx);
        if (errors.isEmpty()) {
            return;
        }
        counts[1] += errors.size();
        List<RowError> rows = new ArrayList<>();
        errors.forEach((row, fields) -> fields.forEach((f, m) -> rows.add(new RowError(row, f, m))));
        for (RowError e : rows) {
            if (shown.size() < MAX_ERRORS_IN_RESPONSE) {
                shown.add(e);
            } else {
                truncated[0] = true;
            }
        }
        // Stored outside the import's transaction: a dry run rolls back its writes but keeps its report. A file
        // that is wrong throughout would otherwise store millions of errors: past the cap they are counted only.
        int room = Math.max(0, maxStoredErrors - counts[2]);
        if (room < rows.size()) {
            truncated[0] = true;
        }
        List<RowError> kept = rows.size() > room ? rows.subList(0, room) : rows;
        counts[2] += kept.size();
        if (!kept.isEmpty()) {
            storeErrors(id, kept);
        }
    }

    private void storeErrors(String id, List<RowError> rows) {
        sideTx.executeWithoutResult(s -> batch.batchUpdate(
                "INSERT INTO import_error (import_id, row_no, field, message) VALUES (?, ?, ?, ?)", rows, 500,
                (ps, e) -> {
                    ps.setString(1, id);
                    ps.setInt(2, e.row());
                    ps.setString(3, truncate(e.field(), 64));
                    ps.setString(4, truncate(e.message(), 500));
                }));
    }

    private static Map<Integer, Map<String, String>> drain(ImportContext ctx) {
        return ctx.drainErrors();
    }

    private String[] mapHeader(ImportKind kind, List<String> cells, Locale locale) {
        Map<String, String> byLabel = new HashMap<>();
        for (var col : kind.columns()) {
            byLabel.put(norm(col.code()), col.code());
            for (Locale l : List.of(Locale.SIMPLIFIED_CHINESE, Locale.ENGLISH, locale)) {
                byLabel.put(norm(columnLabel(kind, col.code(), l)), col.code());
            }
        }
        // The error workbook's own columns (row number, problems) come back with the corrected rows: not data.
        Set<String> reportColumns = new HashSet<>();
        for (Locale l : List.of(Locale.SIMPLIFIED_CHINESE, Locale.ENGLISH, locale)) {
            reportColumns.add(norm(messages.getMessage("import.report.row", null, l)));
            reportColumns.add(norm(messages.getMessage("import.report.message", null, l)));
        }
        String[] codes = new String[cells.size()];
        List<String> unknown = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < cells.size(); i++) {
            String code = byLabel.get(norm(cells.get(i)));
            if (code == null && reportColumns.contains(norm(cells.get(i)))) {
                continue;
            }
            if (code == null) {
                unknown.add(cells.get(i));
            } else if (!seen.add(code)) {
                throw new RefusalSignal(messages.getMessage("import.refused.duplicateColumn",
                        new Object[]{cells.get(i)}, locale));
            }
            codes[i] = code;
        }
        List<String> missing = kind.columns().stream().filter(c -> c.required() && !seen.contains(c.code()))
                .map(c -> columnLabel(kind, c.code(), locale)).toList();
        if (!unknown.isEmpty() || !missing.isEmpty()) {
            String msg = messages.getMessage("import.refused.columns",
                    new Object[]{missing.isEmpty() ? "-" : String.join("、", missing),
                            unknown.isEmpty() ? "-" : String.join("、", unknown)}, locale);
            throw new RefusalSignal(msg);
        }
        return codes;
    }

    /**
     * A value our own workbooks wrote with a leading apostrophe so a spreadsheet would not run it as a formula
     * ({@link Xlsx#neutralise}) comes back as the value that was sent.
     */
    static String unneutralise(String v) {
        if (v.length() > 1 && v.charAt(0) == '\'' && "=+-@".indexOf(v.charAt(1)) >= 0) {
            return v.substring(1);
        }
        return v;
    }

    private static String norm(String s) {
        return s == null ? "" : s.replace("*", "").replace("＊", "").strip().toLowerCase(Locale.ROOT);
    }

    @Override
    public String columnLabel(ImportKind kind, String column, Locale locale) {
        return messages.getMessage("import.col." + kind.name() + "." + column, null, column, locale);
    }

    private RefusedException refuse(String id, ImportKind kind, String message, boolean dryRun) {
        finish(id, "REFUSED", 0, 0, message);
        audit.record("IMPORT_REFUSED", "import", id, Map.of("kind", kind.name(), "reason", message, "dryRun", dryRun));
        return new RefusedException(id, message);
    }

    private void finish(String id, String status, int accepted, int rejected, String message) {
        sideTx.executeWithoutResult(s -> jdbc.sql("""
                UPDATE import_job SET status = :st, accepted = :a, rejected = :r, message = :m, finished_at = :at
                WHERE id = :id""").param("st", status).param("a", accepted).param("r", rejected)
                .param("m", truncate(message, 1000)).param("at", Timestamp.from(Instant.now())).param("id", id)
                .update());
    }

    /** The region an import belongs to: the importer's, or the region of the importer's school. */
    private String regionOf(Scope scope) {
        var known = places.getIfAvailable();
        return switch (scope.type()) {
            case REGION -> scope.code();
            case SCHOOL -> known == null ? null : known.regionOfSchool(scope.code()).orElse(null);
            case NONE -> null;
        };
    }

    @Override
    public Optional<Summary> find(String importId) {
        CurrentUser user = CurrentUser.get();
        // Your own imports, and for an aid center those made by the accounts of its area (not another county's).
        boolean center = user.role() == Role.CENTER && user.scope().type() == Scope.Type.REGION;
        return jdbc.sql("SELECT * FROM import_job WHERE id = :id AND (created_by = :u OR (:center"
                        + " AND scope_region BETWEEN :low AND :high))")
                .param("id", importId).param("u", user.username()).param("center", center)
                .param("low", center ? user.scope().lowestRegion() : "")
                .param("high", center ? user.scope().highestRegion() : "")
                .query((rs, n) -> summary(rs)).optional();
    }

    /** Imports at least this large refresh PostgreSQL's planner statistics when they are done. */
    static final int ANALYZE_AFTER_ROWS = 10_000;
    /**
     * Fresh planner statistics after a large import. Without them PostgreSQL planned the student list over a table
     * it believed a quarter of its size (14,448 persons estimated, 51,633 present after the demo load) until
     * autovacuum came round.
     */
    private void analyze() {
        try {
            bulk.analyze();
        } catch (RuntimeException e) {
            log.warn("ANALYZE after an import failed: {}", e.toString()); // statistics only; the import stands
        }
    }

    @Override
    public Optional<Result> result(String importId) {
        return find(importId).map(sum -> {
            List<RowError> errors = jdbc.sql("""
                    SELECT row_no, field, message FROM import_error WHERE import_id = :id ORDER BY row_no, field
                    LIMIT :n""").param("id", importId).param("n", MAX_ERRORS_IN_RESPONSE + 1)
                    .query((rs, n) -> new RowError(rs.getInt(1), rs.getString(2), rs.getString(3))).list();
            String notes = jdbc.sql("SELECT notes FROM import_job WHERE id = :id").param("id", importId)
                    .query(String.class).optional().orElse(null);
            boolean truncated = errors.size() > MAX_ERRORS_IN_RESPONSE;
            return new Result(importId, sum.kind(), sum.dryRun(), sum.accepted(), sum.rejected(),
                    truncated ? errors.subList(0, MAX_ERRORS_IN_RESPONSE) : errors, truncated,
                    notes == null || notes.isEmpty() ? List.of() : List.of(notes.split("\n")));
        });
    }

    /** Lines of a text file, counted for the progress bar's total (a pass over the bytes, no parsing). */
    private static long lines(Path file) {
        long n = 0;
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int r;
            byte last = '\n';
            while ((r = in.read(buf)) > 0) {
                for (int i = 0; i < r; i++) {
                    if (buf[i] == '\n') {
                        n++;
                    }
                }
                last = buf[r - 1];
            }
            return last == '\n' ? n : n + 1;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public List<Summary> recent(int limit) {
        CurrentUser user = CurrentUser.get();
        return jdbc.sql("SELECT * FROM import_job WHERE created_by = :u ORDER BY created_at DESC LIMIT :n")
                .param("u", user.username()).param("n", limit).query((rs, n) -> summary(rs)).list();
    }

    private static Summary summary(ResultSet rs) throws SQLException {
        return new Summary(rs.getString("id"), rs.getString("kind"), rs.getString("original_filename"),
                rs.getBoolean("dry_run"), rs.getString("status"), rs.getInt("accepted"), rs.getInt("rejected"),
                rs.getString("message"), rs.getString("created_by"), rs.getTimestamp("created_at").toInstant());
    }

    @Override
    public void writeErrorReport(String importId, OutputStream out, Locale locale) {
        if (find(importId).isEmpty()) {
            throw new AccessDeniedException("not your import");
        }
        Map<Integer, String> problems = new TreeMap<>();
        jdbc.sql("SELECT row_no, field, message FROM import_error WHERE import_id = :id ORDER BY row_no, field")
                .param("id", importId).query(rs -> {
                    String text = rs.getString(2) == null || rs.getString(2).isBlank() ? rs.getString(3)
                            : rs.getString(2) + "：" + rs.getString(3);
                    problems.merge(rs.getInt(1), text, (a, b) -> a + "；" + b);
                });
        String name = jdbc.sql("SELECT original_filename FROM import_job WHERE id = :id").param("id", importId)
                .query(String.class).single();
        Path tmp = openKept(importId);
        try {
            Tabular.Format format;
            try {
                format = Tabular.formatOf(name, tmp);
            } catch (Tabular.UnreadableException e) {
                // A file refused as unreadable has no rows to give back: the report says so in its one column.
                try (Xlsx x = new Xlsx(out, messages.getMessage("import.report.sheet", null, locale),
                        List.of(messages.getMessage("import.report.message", null, locale)))) {
                    x.row(List.of(messages.getMessage(e.messageKey(), null, locale)));
                }
                return;
            }
            String rowLabel = messages.getMessage("import.report.row", null, locale);
            String problemLabel = messages.getMessage("import.report.message", null, locale);
            Xlsx[] x = {null};
            AtomicReference<List<Boolean>> skips =
                    new AtomicReference<>(List.of());
            try {
                Tabular.read(tmp, format, (rowNo, cells) -> {
                    if (x[0] == null) {
                        // The file's own header, with the report's two columns around it; a file that was
                        // re-uploaded from a report already has them.
                        List<String> header = new ArrayList<>();
                        header.add(rowLabel);
                        cells.stream().filter(c -> !isReportColumn(c)).forEach(header::add);
                        header.add(problemLabel);
                        x[0] = new Xlsx(out, messages.getMessage("import.report.sheet", null, locale), header);
                        skips.set(cells.stream().map(this::isReportColumn).toList());
                        return;
                    }
                    String problem = problems.get(rowNo);
                    if (problem == null) {
                        return;
                    }
                    List<String> line = new ArrayList<>();
                    line.add(String.valueOf(rowNo));
                    for (int i = 0; i < cells.size(); i++) {
                        if (i < skips.get().size() && !skips.get().get(i)) {
                            line.add(cells.get(i) == null ? "" : cells.get(i));
                        }
                    }
                    while (line.size() < 1 + skips.get().stream().filter(b -> !b).count()) {
                        line.add("");
                    }
                    line.add(problem);
                    x[0].row(line);
                });
            } finally {
                if (x[0] == null) {
                    x[0] = new Xlsx(out, messages.getMessage("import.report.sheet", null, locale),
                            List.of(rowLabel, problemLabel));
                }
                x[0].close();
            }
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a temporary file the system cleans up
            }
        }
        audit.record("IMPORT_REPORT_DOWNLOAD", "import", importId, Map.of());
    }

    private boolean isReportColumn(String label) {
        for (Locale l : List.of(Locale.SIMPLIFIED_CHINESE, Locale.ENGLISH)) {
            if (norm(label).equals(norm(messages.getMessage("import.report.row", null, l)))
                    || norm(label).equals(norm(messages.getMessage("import.report.message", null, l)))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void writeTemplate(ImportKind kind, boolean csv, OutputStream out, Locale locale) {
        List<String> header = kind.columns().stream().map(c -> columnLabel(kind, c.code(), locale)).toList();
        if (csv) {
            try {
                var w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                w.write('\uFEFF'); // Excel on Windows needs the BOM to open UTF-8 CSV correctly
                w.write(String.join(",", header) + "\r\n");
                w.write(String.join(",", kind.exampleRow(CurrentUser.get())) + "\r\n");
                w.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            try (Xlsx x = new Xlsx(out, kind.name(), header)) {
                x.row(kind.exampleRow(CurrentUser.get()));
            }
        }
    }

    /**
     * The uploaded file's name as shown and recorded: without any path, control characters or a name of dots only
     * ({@code ..} would point at the storage folder), at most 200 characters. The file itself is kept under a fixed
     * name, so no name a user types reaches the file system.
     */
    static String safeFileName(String original) {
        String name = original == null ? "" : original.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1).replaceAll("[\\p{Cntrl}]", "").strip();
        if (name.isEmpty() || name.chars().allMatch(c -> c == '.')) {
            name = "upload";
        }
        return name.length() > 200 ? name.substring(name.length() - 200) : name;
    }

    private Path keep(Path file, String id, String name) {
        try {
            Path dir = storage.resolve("imports").resolve(id);
            Files.createDirectories(dir);
            int dot = name.lastIndexOf('.');
            String extension = dot > 0 ? name.substring(dot).toLowerCase(Locale.ROOT).replaceAll("[^.a-z0-9]", "") : "";
            // Sealed with the files key and bound to its import: the original holds every ID of the list.
            Path target = dir.resolve("original" + extension + ".sealed");
            try (OutputStream out = crypto.sealing(Files.newOutputStream(target), "import:" + id + "/original")) {
                Files.copy(file, out);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(Path p) {
        try (var in = new DigestInputStream(Files.newInputStream(p), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /** Aborts the import transaction when the whole file is refused. */
    private static final class RefusalSignal extends RuntimeException {
        RefusalSignal(String message) {
            super(message, null, false, false);
        }
    }
}
