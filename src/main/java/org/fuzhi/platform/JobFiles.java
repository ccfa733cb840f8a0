package org.fuzhi.platform;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Exports too large to wait for: the file is written by a job (with its progress bar), kept sealed under the files
 * directory like an upload, downloaded by the job's owner from {@code /jobs/{id}/file}, and deleted after a day.
 */
public interface JobFiles {

    /** Writes the export's bytes; reports progress through {@link Jobs#progress()}. */
    @FunctionalInterface
    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * @param total    rows the export will hold (for the bar)
     * @param fileName what the browser saves it as
     */
    Jobs.Job start(String kind, String key, String title, String returnUrl, String fileName, String contentType,
                   long total, Writer writer);

    /** Streams a finished job's file to its owner; empty when the job is not theirs, has no file, or it expired. */
    boolean download(String jobId, HttpServletResponse response) throws IOException;
}
