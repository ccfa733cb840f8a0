package org.fuzhi.platform.internal;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.fuzhi.platform.Downloads;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.JobFiles;
import org.fuzhi.platform.Jobs;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

@Service
class JobFileStore implements JobFiles {

    private final Jobs jobs;
    private final JdbcClient jdbc;
    private final FieldCrypto crypto;
    private final MessageSource messages;
    private final Path dir;

    JobFileStore(Jobs jobs, JdbcClient jdbc, FieldCrypto crypto, MessageSource messages,
                 @Value("${fuzhi.storage.dir:./data/files}") String storage) {
        this.jobs = jobs;
        this.jdbc = jdbc;
        this.crypto = crypto;
        this.messages = messages;
        this.dir = Path.of(storage, "exports");
    }

    @Override
    public Jobs.Job start(String kind, String key, String title, String returnUrl, String fileName, String contentType,
                          long total, Writer writer) {
        Locale locale = LocaleContextHolder.getLocale();
        return jobs.start(new Jobs.Request(kind, key, title, null, returnUrl), progress -> {
            progress.phase("job.phase.export");
            progress.total(total);
            Files.createDirectories(dir);
            String id = progress.jobId();
            Path file = dir.resolve(id + ".sealed");
            try {
                // Sealed like a kept upload: an export may hold every name and ID number of the county.
                try (OutputStream out = crypto.sealing(Files.newOutputStream(file), "job:" + id + "/file")) {
                    writer.write(out);
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(file);
                throw e;
            }
            jdbc.sql("UPDATE job SET file_path = :p, file_name = :n, file_type = :t WHERE id = :id")
                    .param("p", file.toString()).param("n", fileName).param("t", contentType).param("id", id).update();
            return new Jobs.Outcome("/jobs/" + id + "/file", "/api/v1/jobs/" + id + "/file",
                    messages.getMessage("job.summary.export", new Object[]{fileName}, locale), null);
        });
    }

    @Override
    public boolean download(String jobId, HttpServletResponse response) throws IOException {
        if (jobs.find(jobId).filter(j -> j.state() == Jobs.State.SUCCEEDED).isEmpty()) {
            return false;
        }
        var row = jdbc.sql("SELECT file_path, file_name, file_type FROM job WHERE id = :id").param("id", jobId)
                .query((rs, n) -> new String[]{rs.getString(1), rs.getString(2), rs.getString(3)}).optional();
        if (row.isEmpty() || row.get()[0] == null || !Files.exists(Path.of(row.get()[0]))) {
            return false;
        }
        Downloads.prepare(response, row.get()[2], row.get()[1]);
        try (var in = crypto.opening(Files.newInputStream(Path.of(row.get()[0])), "job:" + jobId + "/file")) {
            in.transferTo(response.getOutputStream());
        }
        return true;
    }

    /** Files of jobs that ended more than a day ago are deleted: an export is for now, not an archive. */
    int expire() {
        var old = jdbc.sql("SELECT id, file_path FROM job WHERE file_path IS NOT NULL AND finished_at < :t")
                .param("t", Timestamp.from(Instant.now().minus(1, ChronoUnit.DAYS)))
                .query((rs, n) -> new String[]{rs.getString(1), rs.getString(2)}).list();
        for (String[] f : old) {
            try {
                Files.deleteIfExists(Path.of(f[1]));
            } catch (IOException e) {
                continue; // tried again at the next sweep
            }
            jdbc.sql("UPDATE job SET file_path = NULL WHERE id = :id").param("id", f[0]).update();
        }
        return old.size();
    }

    @Scheduled(fixedDelay = 3_600_000, initialDelay = 60_000)
    void expireHourly() {
        expire();
    }
}
