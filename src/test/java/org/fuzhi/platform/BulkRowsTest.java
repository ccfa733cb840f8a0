package org.fuzhi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** The CSV that COPY reads: what a JDBC batch would have bound, written so PostgreSQL reads it back unchanged. */
class BulkRowsTest {

    private static String csv(Object v) {
        StringBuilder b = new StringBuilder();
        BulkRows.csv(b, v);
        return b.toString();
    }

    @Test
    void nullIsAnEmptyUnquotedFieldAndTextIsAlwaysQuoted() {
        assertThat(csv(null)).isEmpty();
        // An empty string must stay a string, not become NULL.
        assertThat(csv("")).isEqualTo("\"\"");
        assertThat(csv("潘*涵")).isEqualTo("\"潘*涵\"");
    }

    @Test
    void quotesCommasAndLineBreaksInTextSurvive() {
        assertThat(csv("a \"b\", c\nd")).isEqualTo("\"a \"\"b\"\", c\nd\"");
    }

    @Test
    void numbersDatesAndInstantsAreWrittenInFormsPostgresqlParses() {
        assertThat(csv(new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(csv(new BigDecimal("1250.50"))).isEqualTo("1250.50");
        assertThat(csv(42L)).isEqualTo("42");
        assertThat(csv(true)).isEqualTo("true");
        assertThat(csv(Timestamp.from(Instant.parse("2026-12-07T05:00:00Z")))).isEqualTo("2026-12-07T05:00:00Z");
        assertThat(csv(Date.valueOf(LocalDate.of(2012, 3, 4)))).isEqualTo("2012-03-04");
        assertThat(csv(LocalDate.of(2012, 3, 4))).isEqualTo("2012-03-04");
    }
}
