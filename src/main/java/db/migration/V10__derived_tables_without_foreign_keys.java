package db.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Drops the foreign keys of two tables that hold recomputed state: {@code person_poverty_status} (the registry's
 * derived status, written only from linked person IDs) and {@code roster_link} (one decision per roster member).
 * Nothing deletes persons or roster members (the roster is kept with its history), so the keys guarded against
 * nothing the application does, while each checked row locks its referenced row: on a province's first run the
 * checks were 10 of 16 s for two million statuses and 8 of 21 s for two million links (ADR 0008).
 * A Java migration because the constraints were declared inline and each database named them its own way.
 */
public class V10__derived_tables_without_foreign_keys extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        for (String table : List.of("person_poverty_status", "roster_link")) {
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
