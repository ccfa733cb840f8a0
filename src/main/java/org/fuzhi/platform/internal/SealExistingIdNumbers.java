package org.fuzhi.platform.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.fuzhi.common.Masking;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.FieldCrypto.Kind;
import org.springframework.stereotype.Component;

/**
 * V14: seals the ID numbers and 学籍号 a database held in clear before V13, and drops the clear columns of the
 * uploaded lists. A Spring bean, not a class Flyway finds on its own, because it needs the keys. It names the
 * registry's and identification's tables: it is the one place that turns the old clear columns into the new forms,
 * and it runs before any module does. On a new database there is nothing to seal.
 */
@Component
class SealExistingIdNumbers implements JavaMigration {

    private static final int BATCH = 2000;
    private final FieldCrypto crypto;

    SealExistingIdNumbers(FieldCrypto crypto) {
        this.crypto = crypto;
    }

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("14");
    }

    @Override
    public String getDescription() {
        return "seal existing id numbers";
    }

    @Override
    public Integer getChecksum() {
        return null;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        // Rows still in clear are those without a sealed value; the index column holds the clear number there.
        seal(c, "SELECT id, id_index FROM person WHERE id_sealed IS NULL AND id > ? ORDER BY id LIMIT " + BATCH,
                "UPDATE person SET id_index = ?, id_sealed = ?, id_masked = ? WHERE id = ?", Kind.ID_NUMBER);
        seal(c, "SELECT id, student_no_index FROM enrolment WHERE student_no_sealed IS NULL AND id > ? ORDER BY id LIMIT " + BATCH,
                "UPDATE enrolment SET student_no_index = ?, student_no_sealed = ?, student_no_masked = ? WHERE id = ?",
                Kind.STUDENT_NO);
        for (String table : List.of("roster_member", "source_list_member")) {
            sealRaw(c, table);
        }
        try (Statement st = c.createStatement()) {
            st.execute("ALTER TABLE roster_member DROP COLUMN id_number_raw");
            st.execute("ALTER TABLE source_list_member DROP COLUMN id_number_raw");
            for (String[] column : new String[][]{{"person", "id_sealed"}, {"person", "id_masked"},
                    {"enrolment", "student_no_sealed"}, {"enrolment", "student_no_masked"},
                    {"roster_member", "id_raw_sealed"}, {"roster_member", "id_raw_masked"},
                    {"source_list_member", "id_raw_sealed"}, {"source_list_member", "id_raw_masked"}}) {
                st.execute("ALTER TABLE " + column[0] + " ALTER COLUMN " + column[1] + " SET NOT NULL");
            }
        }
    }

    private void seal(Connection c, String select, String update, Kind kind) throws Exception {
        long after = 0;
        while (true) {
            List<Object[]> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(select)) {
                ps.setLong(1, after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Object[]{rs.getLong(1), rs.getString(2).strip()});
                    }
                }
            }
            if (rows.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement(update)) {
                for (Object[] r : rows) {
                    String clear = (String) r[1];
                    ps.setString(1, crypto.index(clear));
                    ps.setString(2, crypto.seal(kind, clear));
                    ps.setString(3, Masking.idNumber(clear));
                    ps.setLong(4, (Long) r[0]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            after = (Long) rows.get(rows.size() - 1)[0];
        }
    }

    private void sealRaw(Connection c, String table) throws Exception {
        long after = 0;
        while (true) {
            List<Object[]> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, id_number_raw, id_index FROM " + table
                    + " WHERE id_raw_sealed IS NULL AND id > ? ORDER BY id LIMIT " + BATCH)) {
                ps.setLong(1, after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Object[]{rs.getLong(1), rs.getString(2), rs.getString(3)});
                    }
                }
            }
            if (rows.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table
                    + " SET id_index = ?, id_raw_sealed = ?, id_raw_masked = ? WHERE id = ?")) {
                for (Object[] r : rows) {
                    String raw = (String) r[1];
                    // The index is of the normalised number the import wrote there (null where the cell held none).
                    String normalised = (String) r[2];
                    ps.setString(1, normalised == null ? null : crypto.index(normalised.strip()));
                    ps.setString(2, crypto.seal(Kind.RAW_ID, raw));
                    ps.setString(3, Masking.idNumber(raw));
                    ps.setLong(4, (Long) r[0]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            after = (Long) rows.get(rows.size() - 1)[0];
        }
    }
}
