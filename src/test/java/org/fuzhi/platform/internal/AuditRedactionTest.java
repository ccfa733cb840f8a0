package org.fuzhi.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The audit log keeps no full ID number in any form a person types it in. */
class AuditRedactionTest {

    private static final String ID = "42118220150301123X";

    @Test
    void everyTypedFormOfAnIdNumberIsMasked() {
        String fullWidth = "４２１１８２２０１５０３０１１２３Ｘ";
        for (String typed : new String[]{ID, ID.toLowerCase(), fullWidth, "421182 2015 0301 123X", "421182-20150301-123x",
                "421182150301123", "G" + ID, "查询 " + ID + " 结果"}) {
            String stored = JdbcAuditLog.redact("{\"q\":\"" + typed + "\"}");
            assertThat(stored).as(typed).doesNotContain("20150301").doesNotContain("150301")
                    .doesNotContain("２０１５０３０１").contains("****");
        }
    }

    @Test
    void ordinaryNumbersStay() {
        assertThat(JdbcAuditLog.redact("{\"rows\":15023,\"at\":\"2026-09-01\",\"code\":\"421182101201\"}"))
                .isEqualTo("{\"rows\":15023,\"at\":\"2026-09-01\",\"code\":\"421182101201\"}");
    }
}
