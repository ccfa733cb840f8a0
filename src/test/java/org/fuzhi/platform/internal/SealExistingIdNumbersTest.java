package org.fuzhi.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.fuzhi.platform.FieldCrypto.Kind;
import org.junit.jupiter.api.Test;

/** A database written before encryption at rest (V12) is sealed by V14 on the first start with keys. */
class SealExistingIdNumbersTest {

    private static final String ID = "42118220150304001X";
    private static final String PARENT = "421182198001010012";

    @Test
    void clearNumbersOfAnOlderDatabaseAreSealedIndexedAndTheClearColumnsDropped() throws Exception {
        String url = "jdbc:h2:mem:seal" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        Flyway.configure().dataSource(url, "sa", "").target("12").load().migrate();
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            st.execute("INSERT INTO household (household_no, region_code, head_name) VALUES ('H1', '421182101201', '户主')");
            st.execute("INSERT INTO person (id_number, name, gender, birth_date, household_id) VALUES ('" + ID
                    + "', '测试甲', 'M', DATE '2015-03-04', (SELECT id FROM household))");
            st.execute("INSERT INTO enrolment (person_id, student_no, school_code, stage, status) VALUES ("
                    + "(SELECT id FROM person), 'G" + ID + "', '2142000001', 'PRIMARY', 'IN_SCHOOL')");
            st.execute("INSERT INTO roster_member (import_id, source, household_no, category, name, id_number_raw, "
                    + "id_number, imported_at) VALUES ('i', 'POVERTY', 'H1', 'LIFTED', '测试甲', ' " + ID + "', '" + ID
                    + "', CURRENT_TIMESTAMP), ('i', 'POVERTY', 'H1', 'LIFTED', '测试乙', '无', NULL, CURRENT_TIMESTAMP)");
            st.execute("INSERT INTO source_list_member (import_id, list_type, name, id_number_raw, id_number, region_code,"
                    + " imported_at) VALUES ('s', 'RURAL_DIBAO', '户主', '" + PARENT + "', '" + PARENT
                    + "', '421182101201', CURRENT_TIMESTAMP)");
        }
        TinkFieldCrypto crypto = new TinkFieldCrypto(Keyring.generate());
        Flyway.configure().dataSource(url, "sa", "").javaMigrations(new SealExistingIdNumbers(crypto)).load().migrate();
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            ResultSet p = // V16 moved the sealed values into side tables: they must have come along.
            st.executeQuery("SELECT p.id_index, s.id_sealed, p.id_masked FROM person p "
                    + "JOIN person_sealed s ON s.person_id = p.id");
            p.next();
            assertThat(p.getString(1).strip()).isEqualTo(crypto.index(ID));
            assertThat(crypto.open(Kind.ID_NUMBER, p.getString(2))).isEqualTo(ID);
            assertThat(p.getString(3)).isEqualTo("4211**********001X");
            ResultSet e = st.executeQuery("SELECT e.student_no_index, s.student_no_sealed, e.student_no_masked "
                    + "FROM enrolment e JOIN enrolment_sealed s ON s.enrolment_id = e.id");
            e.next();
            assertThat(e.getString(1)).isEqualTo(crypto.index("G" + ID));
            assertThat(crypto.open(Kind.STUDENT_NO, e.getString(2))).isEqualTo("G" + ID);
            assertThat(e.getString(3)).isEqualTo("G421***********001X");
            ResultSet r = st.executeQuery("SELECT id_index, id_raw_sealed, id_raw_masked FROM roster_member ORDER BY id");
            r.next();
            // The roster line still joins its person on the index.
            assertThat(r.getString(1).strip()).isEqualTo(crypto.index(ID));
            assertThat(crypto.open(Kind.RAW_ID, r.getString(2))).isEqualTo(" " + ID);
            r.next();
            assertThat(r.getString(1)).isNull();
            assertThat(crypto.open(Kind.RAW_ID, r.getString(2))).isEqualTo("无");
            ResultSet s = st.executeQuery("SELECT id_index FROM source_list_member");
            s.next();
            assertThat(s.getString(1).strip()).isEqualTo(crypto.index(PARENT));
            ResultSet cols = st.executeQuery("SELECT COUNT(*) FROM information_schema.columns "
                    + "WHERE column_name = 'id_number_raw' OR column_name = 'id_number' OR column_name = 'student_no'");
            cols.next();
            assertThat(cols.getInt(1)).isZero();
        }
    }
}
