package org.fuzhi.platform.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * An import whose application was stopped mid-way (killed, power cut) stayed RUNNING for ever, and its user never
 * learnt that nothing was written (its transaction rolled back). At start it is marked failed with a message that
 * says so. Linkage runs and rounds need no such step: each writes in one transaction, so a stopped one leaves
 * nothing behind. With several instances on one database only imports whose job is no longer queued or running
 * are touched: another instance's import in progress is alive (the job runner marks a dead instance's jobs).
 */
@Component
class InterruptedImports implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(InterruptedImports.class);

    private final JdbcClient jdbc;
    private final MessageSource messages;

    InterruptedImports(JdbcClient jdbc, MessageSource messages) {
        this.jdbc = jdbc;
        this.messages = messages;
    }

    @Override
    public void afterSingletonsInstantiated() {
        int n = jdbc.sql("""
                UPDATE import_job SET status = 'FAILED', message = :m, finished_at = :now WHERE status = 'RUNNING'
                AND NOT EXISTS (SELECT 1 FROM job j WHERE j.id = import_job.job_id AND j.state IN ('QUEUED', 'RUNNING'))""")
                .param("m", messages.getMessage("import.interrupted", null, Locale.SIMPLIFIED_CHINESE))
                .param("now", Timestamp.from(Instant.now())).update();
        if (n > 0) {
            log.warn("{} import(s) were interrupted by the last shutdown and are marked failed", n);
        }
        // A dry run whose import was cut off wrote nothing (one transaction): it may be imported again.
        jdbc.sql("""
                UPDATE import_job SET committed_as = NULL WHERE committed_as = 'RUNNING'
                AND NOT EXISTS (SELECT 1 FROM job j WHERE j.job_key = 'import-commit:' || import_job.id
                                AND j.state IN ('QUEUED', 'RUNNING'))""").update();
    }
}
