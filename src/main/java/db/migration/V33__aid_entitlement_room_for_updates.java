package db.migration;

import java.sql.Connection;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Leaves half of each new page of {@code aid_entitlement} free on PostgreSQL. Every entitlement is written once by a
 * term's generation and then updated in place by its allocation (allocated sum, status) and again by its batch's
 * approval and the bank's answer. None of those columns is indexed, so an update that finds room on its own page is
 * a heap-only tuple update and touches none of the table's three indexes; on full pages each update wrote three
 * index entries: a province's allocation spent 12 of its 18 s on it (docs/benchmarks.md), 4.5 s with the room.
 * The table takes the same space as before after its first update (an update without room doubled it as well).
 * H2 has no fill factor; its plan does not depend on it. A Java migration because the statement exists only in
 * PostgreSQL.
 */
public class V33__aid_entitlement_room_for_updates extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        if (c.getMetaData().getDatabaseProductName().startsWith("PostgreSQL")) {
            try (Statement st = c.createStatement()) {
                st.execute("ALTER TABLE aid_entitlement SET (fillfactor = 50)");
            }
        }
    }
}
