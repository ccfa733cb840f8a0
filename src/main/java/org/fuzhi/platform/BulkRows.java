package org.fuzhi.platform;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Date;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.temporal.TemporalAccessor;
import java.util.List;
import java.util.StringJoiner;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Many rows into one table inside the caller's transaction: {@code COPY … FROM STDIN} on PostgreSQL, JDBC batches
 * elsewhere. COPY skips the per-statement round trips and parsing of batched INSERTs, which at a province's million
 * rows is most of the cost of writing them (docs/benchmarks.md, the aid term). Values are what a JDBC batch would
 * bind: strings, numbers, booleans, {@link Timestamp}s, {@link java.time.LocalDate}s, nulls.
 */
@Component
public class BulkRows {

    private static final int COPY_BUFFER = 1 << 20;

    private final JdbcTemplate jdbc;
    private volatile Boolean postgres;

    public BulkRows(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Whether the database is PostgreSQL, for the callers that choose a statement by it. */
    public boolean postgres() {
        if (postgres == null) {
            postgres = jdbc.execute((ConnectionCallback<Boolean>) c ->
                    c.getMetaData().getDatabaseProductName().startsWith("PostgreSQL"));
        }
        return postgres;
    }

    /**
     * Fresh planner statistics for tables just written in bulk, or for the whole database when none is named:
     * PostgreSQL plans by what it last counted, and a table it believes empty is read whole where an index would
     * do (autovacuum comes round later, or, in some setups, never). Inside a transaction it counts that
     * transaction's own new rows. H2 plans by index and needs nothing.
     */
    public void analyze(String... tables) {
        if (!postgres()) {
            return;
        }
        if (tables.length == 0) {
            jdbc.execute("ANALYZE");
        }
        for (String t : tables) {
            jdbc.execute("ANALYZE " + t);
        }
    }

    /** Inserts the rows, each its values in the order of {@code columns}; returns how many were written. */
    public long insert(String table, List<String> columns, List<Object[]> rows) {
        if (rows.isEmpty()) {
            return 0;
        }
        if (!postgres()) {
            StringJoiner marks = new StringJoiner(", ");
            columns.forEach(c -> marks.add("?"));
            jdbc.batchUpdate("INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES (" + marks + ")",
                    rows);
            return rows.size();
        }
        String sql = "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN (FORMAT csv)";
        Long written = jdbc.execute((ConnectionCallback<Long>) c -> copy(c, sql, rows));
        return written == null ? 0 : written;
    }

    /**
     * Rows for one table written in several parts, skipping those a unique key refuses (another writer's row with the
     * same key), as {@code INSERT … ON CONFLICT DO NOTHING} does row by row. On PostgreSQL each part goes by COPY
     * straight into the table; a part that meets another writer's key is undone and goes by COPY into a temporary
     * table instead, which {@link Staged#insertSkippingDuplicates()} moves at the end, skipping the refused rows.
     * Elsewhere each part is inserted as it comes. Memory holds one part at a time. Use within one transaction, and
     * call {@link Staged#insertSkippingDuplicates()} once at the end.
     */
    public Staged stage(String table, List<String> columns) {
        return new Staged(table, columns);
    }

    public final class Staged {

        private final String table;
        private final List<String> columns;
        private final String cols;
        private final String staging;
        private boolean created;
        private long written;

        private Staged(String table, List<String> columns) {
            this.table = table;
            this.columns = columns;
            this.cols = String.join(", ", columns);
            this.staging = "bulk_" + table;
        }

        public void add(List<Object[]> rows) {
            if (rows.isEmpty()) {
                return;
            }
            if (!postgres()) {
                StringJoiner marks = new StringJoiner(", ");
                columns.forEach(c -> marks.add("?"));
                for (int n : jdbc.batchUpdate("INSERT INTO " + table + " (" + cols + ") VALUES (" + marks + ") "
                        + "ON CONFLICT DO NOTHING", rows)) {
                    written += Math.max(n, 0);
                }
                return;
            }
            // Straight into the table, unless a row meets another writer's row with the same key (a concurrent
            // generation of another county after a transfer): then the part is undone to its savepoint and kept for
            // the INSERT … ON CONFLICT DO NOTHING at the end. Without such a meeting, no second pass.
            boolean direct = Boolean.TRUE.equals(jdbc.execute((ConnectionCallback<Boolean>) c -> {
                Savepoint sp = c.setSavepoint();
                try {
                    written += copy(c, "COPY " + table + " (" + cols + ") FROM STDIN (FORMAT csv)", rows);
                    c.releaseSavepoint(sp);
                    return true;
                } catch (SQLException e) {
                    if (!"23505".equals(e.getSQLState())) {
                        throw e;
                    }
                    c.rollback(sp);
                    return false;
                }
            }));
            if (direct) {
                return;
            }
            if (!created) {
                // The listed columns without the table's keys and NOT NULLs (the INSERT checks them), and the order
                // the rows came in; dropped at commit, so no later transaction of the pooled connection meets it.
                jdbc.execute("DROP TABLE IF EXISTS " + staging);
                jdbc.execute("CREATE TEMP TABLE " + staging + " ON COMMIT DROP AS SELECT " + cols + " FROM " + table
                        + " WITH NO DATA");
                jdbc.execute("ALTER TABLE " + staging + " ADD COLUMN bulk_order BIGSERIAL");
                created = true;
            }
            jdbc.execute((ConnectionCallback<Long>) c -> copy(c, "COPY " + staging + " (" + cols + ") FROM STDIN "
                    + "(FORMAT csv)", rows));
        }

        /** Inserts what was added (on PostgreSQL; elsewhere it already is); returns how many rows were written. */
        public long insertSkippingDuplicates() {
            if (created) {
                written += jdbc.update("INSERT INTO " + table + " (" + cols + ") SELECT " + cols + " FROM " + staging
                        + " ORDER BY bulk_order ON CONFLICT DO NOTHING");
                jdbc.execute("DROP TABLE " + staging);
                created = false;
            }
            return written;
        }
    }

    private static long copy(Connection c, String sql, List<Object[]> rows) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            StringBuilder b = new StringBuilder(COPY_BUFFER + 4096);
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    csv(b, row[i]);
                }
                b.append('\n');
                if (b.length() >= COPY_BUFFER) {
                    byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
                    in.writeToCopy(bytes, 0, bytes.length);
                    b.setLength(0);
                }
            }
            byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
            in.writeToCopy(bytes, 0, bytes.length);
            return in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** One CSV field: null stays unquoted and empty (COPY's NULL in CSV), text is always quoted. */
    static void csv(StringBuilder b, Object v) {
        if (v == null) {
            return;
        }
        if (v instanceof BigDecimal d) {
            b.append(d.toPlainString());
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Timestamp t) {
            b.append(t.toInstant());
        } else if (v instanceof Date d) {
            b.append(d.toLocalDate());
        } else if (v instanceof TemporalAccessor t) {
            b.append(t);
        } else {
            String s = v.toString();
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '"') {
                    b.append('"');
                }
                b.append(ch);
            }
            b.append('"');
        }
    }
}
