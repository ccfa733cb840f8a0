package db.migration;

import java.sql.Connection;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Indexes for the student search by name (issue 13.2): a name's prefix and a class's exact name are each found by an
 * index. On PostgreSQL a plain B-tree serves {@code LIKE '薛%'} only under the C collation, so the name gets a
 * {@code text_pattern_ops} index there (it orders by bytes, which is what a prefix match needs); H2's index on
 * {@code person.name} already serves a prefix. A Java migration because the operator class exists only in PostgreSQL.
 */
public class V38__name_search_by_index extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (Statement st = c.createStatement()) {
            st.execute("CREATE INDEX enrolment_class_name ON enrolment (class_name)");
            if (c.getMetaData().getDatabaseProductName().startsWith("PostgreSQL")) {
                st.execute("CREATE INDEX person_name_prefix ON person (name text_pattern_ops)");
            }
        }
    }
}
