package org.fuzhi.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** A full ID number in a log message or in an exception's message is masked on its way to the log. */
@ExtendWith(OutputCaptureExtension.class)
class LogRedactionTest {

    private static final String ID = "421182201503011234";

    @Test
    void idNumbersNeverReachTheLog(CapturedOutput output) {
        var log = LoggerFactory.getLogger("org.fuzhi.test");
        log.warn("import of {} failed", ID);
        log.error("database refused a row", new IllegalStateException(
                "duplicate key value violates unique constraint: Key (id_number)=(" + ID + ") already exists"));
        log.warn("typed as {}", "４２１１８２２０１５０３０１１２３４");
        assertThat(output.getAll()).contains("4211**********1234").doesNotContain(ID).doesNotContain("20150301")
                .doesNotContain("２０１５０３０１").contains("IllegalStateException");
    }
}
