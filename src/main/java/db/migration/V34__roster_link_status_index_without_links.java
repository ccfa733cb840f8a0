package db.migration;

import java.sql.Connection;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * On PostgreSQL, indexes only the roster links that are not plain links. Every query that filters on the status
 * asks for the few lines in review, unlinked or rejected; the links themselves (97 % of a roster) are found by
 * member or person. Indexing them made a province linkage write 1.9M entries into an index nobody reads: inserting
 * a province's links took 6.9 s with it, 4.2 s with this partial index (docs/benchmarks.md). H2 has no partial
 * indexes and keeps the full one. A Java migration because the statement exists only in PostgreSQL.
 */
public class V34__roster_link_status_index_without_links extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        if (c.getMetaData().getDatabaseProductName().startsWith("PostgreSQL")) {
            try (Statement st = c.createStatement()) {
                st.execute("DROP INDEX roster_link_status");
                st.execute("CREATE INDEX roster_link_status ON roster_link (status) WHERE status <> 'LINKED'");
            }
        }
    }
}
