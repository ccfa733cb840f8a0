package org.fuzhi.platform;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * One way to answer a request for an export, whatever it exports: a small one downloads at once; a large one is a
 * job (its progress bar, then the download from {@code /jobs/{id}/file}). In the UI "large" is more rows than
 * {@code fuzhi.jobs.export-rows-inline} (5,000); an API client gets a job when it asks for one with
 * {@code Prefer: respond-async} (202 with the job's URL) and the file at once otherwise. The same export by the same
 * user with the same filters is one job at a time.
 */
@Component
public class Exports {

    private final JobFiles jobFiles;
    private final long rowsInline;

    public Exports(JobFiles jobFiles, @Value("${fuzhi.jobs.export-rows-inline:5000}") long rowsInline) {
        this.jobFiles = jobFiles;
        this.rowsInline = rowsInline;
    }

    /**
     * @param kind      what is exported, for the job's key ("students", "households", "aid-term-7" …)
     * @param rows      how many rows it will hold (the page's total), for the choice and the progress bar
     * @param title     the job's title in the user's words
     * @param returnUrl the page the job leads back to
     */
    public record Export(String kind, long rows, String title, String returnUrl, String fileName, String contentType,
                         JobFiles.Writer writer) {
    }

    /** Whether an export of this many rows, asked for by this request, is written by a job rather than at once. */
    public boolean asJob(HttpServletRequest request, long rows) {
        return request.getRequestURI().startsWith("/api/") ? JobAnswers.asksAsync(request) : rows > rowsInline;
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public void send(HttpServletRequest request, HttpServletResponse response, Export e) throws IOException {
        boolean api = request.getRequestURI().startsWith("/api/");
        if (asJob(request, e.rows())) {
            Jobs.Job job = jobFiles.start("export", "export:" + e.kind() + ":" + CurrentUser.get().username() + ":"
                            + request.getQueryString(), e.title(), e.returnUrl(), e.fileName(), e.contentType(),
                    e.rows(), e.writer());
            if (api) {
                // The file is at the job's resultUrl when it is done.
                response.setStatus(HttpServletResponse.SC_ACCEPTED);
                response.setHeader("Location", job.url());
                response.setContentType("application/json");
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("id", job.id());
                body.put("url", job.url());
                response.getWriter().write(JSON.writeValueAsString(body));
                return;
            }
            response.sendRedirect("/jobs/" + job.id() + "?follow=true");
            return;
        }
        Downloads.prepare(response, e.contentType(), e.fileName());
        e.writer().write(response.getOutputStream());
    }
}
