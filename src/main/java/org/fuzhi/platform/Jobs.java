package org.fuzhi.platform;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Long work (an import, a linkage run, a round, a term's generation) as a background job: it runs outside the
 * request on a worker of the instance that started it, reports a phase and done/total for the progress bar,
 * can be cancelled by its owner, and a second start of the same work (same key) on any instance is refused while
 * one is queued or running. A job whose instance dies is marked failed ("interrupted") by any instance still alive.
 */
public interface Jobs {

    /**
     * Queues the work and returns at once. The worker runs it as the calling user, in the calling user's language.
     *
     * @throws AlreadyRunningException when a job with the same key is queued or running
     */
    Job start(Request request, Work work);

    /** The job if the current user may see it (its owner; nobody else). */
    Optional<Job> find(String id);

    /** The current user's latest jobs, newest first. */
    List<Job> recent(int limit);

    /** Asks the job to stop; it stops at its next progress report and writes nothing. */
    Job cancel(String id);

    /**
     * Waits up to {@code max} for a job started on this instance to end. Present with the work's value when it
     * succeeded in time; empty while it still runs. A job that failed in time throws what the work threw, so a
     * caller that waited answers exactly as it did before the work became a job.
     */
    Optional<Object> await(String id, Duration max);

    /**
     * What a job is: kind (for the list and metrics), the key that makes two starts "the same work", its title
     * in the owner's words, where its result is shown when it succeeds and where the user came from.
     */
    record Request(String kind, String key, String title, String resultUrl, String returnUrl) {
    }

    @FunctionalInterface
    interface Work {
        Outcome run(Progress progress) throws Exception;
    }

    /**
     * @param resultUrl where the result is shown (overrides the request's; null keeps it)
     * @param apiUrl    where an API client reads the result
     * @param summary   one line in the owner's words ("接收 1200 行，退回 3 行")
     * @param value     what a synchronous caller answers with
     */
    record Outcome(String resultUrl, String apiUrl, String summary, Object value) {
    }

    /** Reported by the work; cheap to call often (written at most a few times a second). */
    interface Progress {
        /** A message key naming the phase ("job.phase.linkage"). */
        void phase(String messageKey);

        void total(long total);

        void done(long done);

        /** Throws {@link CancelledException} when the owner cancelled: the work's transaction rolls back. */
        void checkCancelled();

        /** The job's id (null outside a job): records the work writes can name the job they came from. */
        default String jobId() {
            return null;
        }
    }

    enum State {
        QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

        public boolean finished() {
            return this == SUCCEEDED || this == FAILED || this == CANCELLED;
        }
    }

    record Job(String id, String kind, String title, State state, String phase, long done, long total,
               String message, String resultUrl, String apiUrl, String returnUrl, String summary, String owner,
               Instant createdAt, Instant startedAt, Instant finishedAt, boolean cancelRequested) {

        /** 0–100, or -1 while the total is not known. */
        @com.fasterxml.jackson.annotation.JsonProperty("percent")
        public int percent() {
            if (state == State.SUCCEEDED) {
                return 100;
            }
            return total <= 0 ? -1 : (int) Math.min(100, done * 100 / total);
        }

        @com.fasterxml.jackson.annotation.JsonProperty("url")
        public String url() {
            return "/api/v1/jobs/" + id;
        }
    }

    /** The same work is already queued or running; the message names who started it and how far it is. */
    final class AlreadyRunningException extends RuleViolationException {
        private final transient Job running;

        public AlreadyRunningException(Job running) {
            super("job.alreadyRunning", running.title(), running.owner(), Math.max(running.percent(), 0));
            this.running = running;
        }

        public Job running() {
            return running;
        }
    }

    /** Thrown inside the work when its owner cancelled it. */
    final class CancelledException extends RuntimeException {
        public CancelledException() {
            super("cancelled by its owner");
        }
    }

    /** The progress of the job the calling thread runs, or one that ignores everything outside a job. */
    static Progress progress() {
        Progress p = JobThread.CURRENT.get();
        return p == null ? JobThread.NONE : p;
    }

    /** Holder of the worker thread's progress; set by the job runner only. */
    final class JobThread {
        static final ThreadLocal<Progress> CURRENT = new ThreadLocal<>();
        static final Progress NONE = new Progress() {
            @Override
            public void phase(String messageKey) {
            }

            @Override
            public void total(long total) {
            }

            @Override
            public void done(long done) {
            }

            @Override
            public void checkCancelled() {
            }
        };

        private JobThread() {
        }

        /** For the runner: binds a progress to the current worker thread (null unbinds). */
        public static void bind(Progress p) {
            if (p == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(p);
            }
        }
    }
}
