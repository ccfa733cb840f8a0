package org.fuzhi.platform;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * How a controller answers for work it started as a job. The API waits a little ({@code fuzhi.jobs.answer-within})
 * so that a county-sized import or round still answers with its result as before, and otherwise answers
 * {@code 202 Accepted} with the job's URL; a client that sends {@code Prefer: respond-async} gets the 202 at once.
 * A page waits {@code fuzhi.jobs.ui-wait}, then sends the user to the job's progress bar.
 */
@Component
public class JobAnswers {

    private final Jobs jobs;
    private final Duration answerWithin;
    private final Duration uiWait;

    public JobAnswers(Jobs jobs, @Value("${fuzhi.jobs.answer-within:20s}") Duration answerWithin,
                      @Value("${fuzhi.jobs.ui-wait:2s}") Duration uiWait) {
        this.jobs = jobs;
        this.answerWithin = answerWithin;
        this.uiWait = uiWait;
    }

    /** The work's value mapped to the body (200), or 202 with the job. A failure in time is thrown as it was. */
    public ResponseEntity<Object> api(Jobs.Job job, HttpServletRequest request, Function<Object, Object> body) {
        Optional<Object> value = jobs.await(job.id(), asksAsync(request) ? Duration.ZERO : answerWithin);
        if (value.isPresent()) {
            return ResponseEntity.ok(body.apply(value.get()));
        }
        Jobs.Job now = jobs.find(job.id()).orElse(job);
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create(now.url()))
                .header("Retry-After", "1").body(now);
    }

    /** Whether an API client asked not to wait ({@code Prefer: respond-async}, RFC 7240). */
    public static boolean asksAsync(HttpServletRequest request) {
        String prefer = request.getHeader("Prefer");
        return prefer != null && prefer.toLowerCase(Locale.ROOT).contains("respond-async");
    }

    /** The work's value if it ended within the page's wait; empty means: redirect to {@link #page(Jobs.Job)}. */
    public Optional<Object> ui(Jobs.Job job) {
        return jobs.await(job.id(), uiWait);
    }

    /** The job's progress page. */
    public String page(Jobs.Job job) {
        return "redirect:/jobs/" + job.id() + "?follow=true";
    }
}
