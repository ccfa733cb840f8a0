package db.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Drops the foreign keys of the two aid tables a term writes a million rows into: {@code aid_entitlement} (to its
 * term and catalog item version) and {@code aid_allocation} (to its entitlement, fund and term). Nothing deletes a
 * term, a fund or an item version, and an entitlement is deleted only by a re-generation and only while it is still
 * due, before any money is allocated to it, so no line can point at it. The keys guarded against nothing the
 * application does, while each checked row looked up and locked its referenced row: for a province's term (1.03M
 * entitlements, 841k lines) the checks cost about 8 s of generating and as much again of allocating
 * (docs/benchmarks.md). What does guard the money stays: the once-per-person-item-and-term key, the line's
 * unique (entitlement, fund), the batch and payment tables' keys, and the ledger check, which compares every
 * entitlement's allocated sum with its lines. A Java migration because the constraints were declared inline and
 * each database named them its own way (as V10 did).
 */
public class V32__aid_bulk_tables_without_foreign_keys extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        for (String table : List.of("aid_entitlement", "aid_allocation")) {
            String stored = c.getMetaData().storesUpperCaseIdentifiers() ? table.toUpperCase() : table;
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = c.getMetaData().getImportedKeys(c.getCatalog(), c.getSchema(), stored)) {
                while (rs.next()) {
                    String name = rs.getString("FK_NAME");
                    if (!keys.contains(name)) {
                        keys.add(name);
                    }
                }
            }
            if (keys.isEmpty()) {
                throw new IllegalStateException("no foreign key found on " + table);
            }
            try (Statement st = c.createStatement()) {
                for (String key : keys) {
                    st.execute("ALTER TABLE " + table + " DROP CONSTRAINT \"" + key + "\"");
                }
            }
        }
    }
}
