package org.fuzhi.platform.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Imports;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.StaleEditException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs jobs on a small pool of this instance's workers. The job row in the database is the truth every instance
 * reads: the worker's progress is kept in memory and written once a second by one flusher thread (a worker inside
 * its transaction never touches the job row, so a rolled-back import still shows how far it got), which also
 * renews this instance's heartbeat on its jobs and picks up cancellations asked for on another instance. A job
 * whose heartbeat is older than {@code fuzhi.jobs.stale-after} belongs to an instance that died; any instance marks
 * it failed ("interrupted") and frees its key, so the work can be started again.
 */
@Service
class JobRunner implements Jobs, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final JdbcClient jdbc;
    private final MessageSource messages;
    private final ClientAddress clientAddress;
    private final TransactionTemplate ownTx;
    private final ObjectProvider<io.micrometer.core.instrument.MeterRegistry> meters;
    private final String instanceId = UUID.randomUUID().toString();
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService ticker;
    private final Duration staleAfter;
    private final Duration shutdownWait;
    private final Map<String, Running> local = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong lastTick = new AtomicLong(System.currentTimeMillis());

    JobRunner(JdbcClient jdbc, MessageSource messages, ClientAddress clientAddress, PlatformTransactionManager txm,
              ObjectProvider<io.micrometer.core.instrument.MeterRegistry> meters,
              @Value("${fuzhi.jobs.workers:2}") int workers,
              @Value("${fuzhi.jobs.stale-after:30s}") Duration staleAfter,
              @Value("${fuzhi.jobs.shutdown-wait:20s}") Duration shutdownWait) {
        this.jdbc = jdbc;
        this.messages = messages;
        this.clientAddress = clientAddress;
        this.meters = meters;
        this.ownTx = new TransactionTemplate(txm);
        this.ownTx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.staleAfter = staleAfter;
        this.shutdownWait = shutdownWait;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "job-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "job-ticker");
            t.setDaemon(true);
            return t;
        });
    }

    /** A job of this instance: its progress in memory, its cancel flag, and the future a waiting request reads. */
    private static final class Running implements Progress {
        final String id;
        final CompletableFuture<Object> future = new CompletableFuture<>();
        final AtomicBoolean cancel = new AtomicBoolean();
        final AtomicReference<String> phase = new AtomicReference<>();
        final AtomicLong done = new AtomicLong();
        final AtomicLong total = new AtomicLong();
        volatile boolean dirty;
        volatile long finishedAt;

        Running(String id) {
            this.id = id;
        }

        @Override
        public String jobId() {
            return id;
        }

        @Override
        public void phase(String messageKey) {
            checkCancelled();
            phase.set(messageKey);
            done.set(0);
            total.set(0);
            dirty = true;
        }

        @Override
        public void total(long t) {
            total.set(t);
            dirty = true;
        }

        @Override
        public void done(long d) {
            checkCancelled();
            done.set(d);
            dirty = true;
        }

        @Override
        public void checkCancelled() {
            if (cancel.get()) {
                throw new CancelledException();
            }
        }
    }

    // ------------------------------------------------------------------ starting and reading

    @Override
    public Job start(Request request, Work work) {
        CurrentUser user = CurrentUser.get();
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        for (int attempt = 0; ; attempt++) {
            try {
                ownTx.executeWithoutResult(s -> jdbc.sql("""
                        INSERT INTO job (id, kind, job_key, active_key, title, owner, scope_type, scope_code, state,
                                         result_url, return_url, instance_id, created_at, heartbeat_at)
                        VALUES (:id, :kind, :key, :key, :title, :owner, :st, :sc, 'QUEUED', :res, :ret, :inst, :now, :now)""")
                        .param("id", id).param("kind", request.kind()).param("key", clip(request.key(), 200))
                        .param("title", clip(request.title(), 300)).param("owner", user.username())
                        .param("st", user.scope().type().name()).param("sc", user.scope().code())
                        .param("res", request.resultUrl()).param("ret", request.returnUrl())
                        .param("inst", instanceId).param("now", Timestamp.from(now)).update());
                break;
            } catch (DuplicateKeyException e) {
                Optional<Job> other = jdbc.sql("SELECT * FROM job WHERE active_key = :k")
                        .param("k", clip(request.key(), 200)).query(this::row).optional();
                if (other.isPresent()) {
                    throw new AlreadyRunningException(other.get());
                }
                if (attempt > 2) { // it ended between the insert and the look-up, three times over: give up
                    throw e;
                }
            }
        }
        Running r = new Running(id);
        local.put(id, r);
        SecurityContext security = SecurityContextHolder.getContext();
        Locale locale = LocaleContextHolder.getLocale();
        String address = clientAddress.current();
        try {
            workers.execute(() -> execute(r, request, work, security, locale, address));
        } catch (RejectedExecutionException e) {
            // Shutting down: the job never ran, and says so.
            end(id, State.FAILED, text("job.interrupted", locale), null, null, null);
            local.remove(id);
            throw new RuleViolationException("job.shuttingDown");
        }
        return find(id).orElseThrow();
    }

    private void execute(Running r, Request request, Work work, SecurityContext security, Locale locale,
                         String address) {
        int claimed = jdbc.sql("""
                UPDATE job SET state = 'RUNNING', started_at = :now, heartbeat_at = :now
                WHERE id = :id AND state = 'QUEUED'""").param("id", r.id).param("now", Timestamp.from(Instant.now()))
                .update();
        if (claimed == 0) { // cancelled while it waited for a worker
            r.future.completeExceptionally(new CancelledException());
            r.finishedAt = System.currentTimeMillis();
            return;
        }
        long t0 = System.nanoTime();
        SecurityContextHolder.setContext(security);
        LocaleContextHolder.setLocale(locale);
        ClientAddress.CURRENT_JOB.set(address);
        Jobs.JobThread.bind(r);
        State state;
        try {
            Outcome outcome = work.run(r);
            flush(r);
            end(r.id, State.SUCCEEDED, null, outcome == null ? null : outcome.summary(),
                    outcome == null ? null : outcome.resultUrl(), outcome == null ? null : outcome.apiUrl());
            state = State.SUCCEEDED;
            r.future.complete(outcome == null ? null : outcome.value());
        } catch (Throwable e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null
                    ? e.getCause() : e;
            state = cause instanceof CancelledException ? State.CANCELLED : State.FAILED;
            String message = explain(cause, locale);
            if (state == State.FAILED && message == null) {
                log.error("job {} ({}) failed", r.id, request.kind(), cause);
                message = text("job.failed", locale);
            }
            flush(r);
            end(r.id, state, message, null, null, null);
            r.future.completeExceptionally(cause);
        } finally {
            Jobs.JobThread.bind(null);
            ClientAddress.CURRENT_JOB.remove();
            SecurityContextHolder.clearContext();
            LocaleContextHolder.resetLocaleContext();
            r.finishedAt = System.currentTimeMillis();
        }
        var registry = meters.getIfAvailable();
        if (registry != null) {
            io.micrometer.core.instrument.Timer.builder("fuzhi.jobs").description("Background jobs by kind and outcome")
                    .tag("kind", request.kind()).tag("state", state.name()).register(registry)
                    .record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        }
    }

    /** The failure in the owner's words, or null when it is unexpected (logged, shown as a general failure). */
    private String explain(Throwable e, Locale locale) {
        if (e instanceof CancelledException) {
            return text("job.cancelled", locale);
        }
        if (e instanceof RuleViolationException rv) {
            return messages.getMessage(rv.messageKey(), rv.args(), locale);
        }
        if (e instanceof StaleEditException) {
            return text("error.stale", locale);
        }
        if (e instanceof Imports.RefusedException refused) {
            return refused.getMessage();
        }
        if (e instanceof AccessDeniedException) {
            return text("error.forbidden", locale);
        }
        if (e instanceof NotFoundException) {
            return text("error.notFound", locale);
        }
        return null;
    }

    private void end(String id, State state, String message, String summary, String resultUrl, String apiUrl) {
        jdbc.sql("""
                UPDATE job SET state = :state, message = :m, summary = :s, finished_at = :now, active_key = NULL,
                               result_url = COALESCE(:res, result_url), result_api = :api
                WHERE id = :id AND state IN ('QUEUED', 'RUNNING')""")
                .param("state", state.name()).param("m", clip(message, 2000)).param("s", clip(summary, 2000))
                .param("res", resultUrl).param("api", apiUrl).param("now", Timestamp.from(Instant.now())).param("id", id).update();
    }

    @Override
    public Optional<Job> find(String id) {
        CurrentUser user = CurrentUser.get();
        return jdbc.sql("SELECT * FROM job WHERE id = :id AND owner = :o").param("id", id)
                .param("o", user.username()).query(this::row).optional();
    }

    @Override
    public List<Job> recent(int limit) {
        return jdbc.sql("SELECT * FROM job WHERE owner = :o ORDER BY created_at DESC LIMIT :n")
                .param("o", CurrentUser.get().username()).param("n", limit).query(this::row).list();
    }

    @Override
    public Job cancel(String id) {
        Job job = find(id).orElseThrow(() -> new NotFoundException("job"));
        if (job.state().finished()) {
            return job;
        }
        jdbc.sql("UPDATE job SET cancel_requested = TRUE WHERE id = :id").param("id", id).update();
        // One still waiting for a worker is cancelled at once; a running one stops at its next progress report
        // and keeps its key until its transaction has rolled back.
        jdbc.sql("""
                UPDATE job SET state = 'CANCELLED', message = :m, finished_at = :now, active_key = NULL
                WHERE id = :id AND state = 'QUEUED'""")
                .param("m", text("job.cancelled", LocaleContextHolder.getLocale()))
                .param("now", Timestamp.from(Instant.now())).param("id", id).update();
        Running r = local.get(id);
        if (r != null) {
            r.cancel.set(true);
        }
        return find(id).orElseThrow();
    }

    @Override
    public Optional<Object> await(String id, Duration max) {
        Running r = local.get(id);
        if (r == null) {
            return Optional.empty();
        }
        try {
            Object value = max.isZero() ? r.future.getNow(PENDING) : r.future.get(max.toMillis(), TimeUnit.MILLISECONDS);
            if (value == PENDING) {
                return Optional.empty();
            }
            return Optional.of(value == null ? NOTHING : value);
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static final Object PENDING = new Object();
    /** Stands for a job that succeeded without a value (Optional cannot hold null). */
    static final Object NOTHING = new Object();

    private Job row(ResultSet rs, int n) throws SQLException {
        return new Job(rs.getString("id"), rs.getString("kind"), rs.getString("title"),
                State.valueOf(rs.getString("state")), rs.getString("phase"), rs.getLong("done"), rs.getLong("total"),
                rs.getString("message"), rs.getString("result_url"), rs.getString("result_api"),
                rs.getString("return_url"),
                rs.getString("summary"), rs.getString("owner"), instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("started_at")), instant(rs.getTimestamp("finished_at")),
                rs.getBoolean("cancel_requested"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    // ------------------------------------------------------------------ the ticker: progress, heartbeat, sweep

    private void tick() {
        try {
            for (Running r : local.values()) {
                if (r.finishedAt == 0) {
                    flush(r);
                } else if (System.currentTimeMillis() - r.finishedAt > 600_000) {
                    local.remove(r.id); // nobody waits for a job that ended ten minutes ago
                }
            }
            Timestamp now = Timestamp.from(Instant.now());
            jdbc.sql("UPDATE job SET heartbeat_at = :now WHERE instance_id = :i AND state IN ('QUEUED', 'RUNNING')")
                    .param("now", now).param("i", instanceId).update();
            // Cancellations asked for on another instance reach this one's workers here.
            jdbc.sql("SELECT id FROM job WHERE instance_id = :i AND cancel_requested = TRUE AND state = 'RUNNING'")
                    .param("i", instanceId).query(String.class).list()
                    .forEach(id -> {
                        Running r = local.get(id);
                        if (r != null && r.finishedAt == 0) {
                            r.cancel.set(true);
                        }
                    });
            sweep();
            lastTick.set(System.currentTimeMillis());
        } catch (RuntimeException e) {
            // A database that is down for a moment must not stop the ticker for good.
            log.warn("job ticker: {}", e.toString());
        }
    }

    private void flush(Running r) {
        if (!r.dirty) {
            return;
        }
        r.dirty = false;
        jdbc.sql("""
                UPDATE job SET phase = :p, done = :d, total = :t, heartbeat_at = :now
                WHERE id = :id AND state = 'RUNNING'""")
                .param("p", r.phase.get()).param("d", r.done.get()).param("t", r.total.get())
                .param("now", Timestamp.from(Instant.now())).param("id", r.id).update();
    }

    /** Jobs of instances that stopped beating are failed as interrupted, and so are their imports. */
    int sweep() {
        Locale zh = Locale.SIMPLIFIED_CHINESE;
        Timestamp now = Timestamp.from(Instant.now());
        int n = jdbc.sql("""
                UPDATE job SET state = 'FAILED', message = :m, finished_at = :now, active_key = NULL
                WHERE state IN ('QUEUED', 'RUNNING') AND heartbeat_at < :stale AND instance_id <> :i""")
                .param("m", text("job.interrupted", zh)).param("now", now)
                .param("stale", Timestamp.from(Instant.now().minus(staleAfter))).param("i", instanceId).update();
        if (n > 0) {
            log.warn("{} job(s) of a stopped instance marked interrupted", n);
        }
        sweepImportsOnly();
        return n;
    }

    private String text(String key, Locale locale) {
        return messages.getMessage(key, null, locale);
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void start() {
        if (running.compareAndSet(false, true)) {
            sweep();
            ticker.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * Graceful shutdown: running jobs get {@code fuzhi.jobs.shutdown-wait} to finish; then they are cancelled (their
     * transactions roll back) and marked interrupted, so none is left RUNNING for a living instance to guess about.
     */
    @Override
    public void stop() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        // Jobs still waiting for a worker never start; the update below marks them with the running ones.
        List<Runnable> neverStarted = new ArrayList<>();
        workers.getQueue().drainTo(neverStarted);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(shutdownWait.toMillis(), TimeUnit.MILLISECONDS)) {
                local.values().forEach(r -> r.cancel.set(true));
                workers.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ticker.shutdownNow();
        int n = jdbc.sql("""
                UPDATE job SET state = 'FAILED', message = :m, finished_at = :now, active_key = NULL
                WHERE instance_id = :i AND state IN ('QUEUED', 'RUNNING')""")
                .param("m", text("job.interrupted", Locale.SIMPLIFIED_CHINESE))
                .param("now", Timestamp.from(Instant.now())).param("i", instanceId).update();
        if (n > 0 || !neverStarted.isEmpty()) {
            log.warn("{} job(s) interrupted by shutdown", n);
        }
        sweepImportsOnly();
    }

    /** Imports whose job is no longer queued or running but which still say RUNNING: their job was interrupted. */
    private void sweepImportsOnly() {
        jdbc.sql("""
                UPDATE import_job SET status = 'FAILED', message = :m, finished_at = :now
                WHERE status = 'RUNNING' AND job_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM job j WHERE j.id = import_job.job_id AND j.state IN ('QUEUED', 'RUNNING'))""")
                .param("m", text("import.interrupted", Locale.SIMPLIFIED_CHINESE))
                .param("now", Timestamp.from(Instant.now())).update();
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }

    /** Stops before the web server's graceful shutdown has ended and long before the data source closes. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 4096;
    }

    // ------------------------------------------------------------------ for health and metrics

    /** Seconds since the ticker last went round; a stuck ticker means progress and heartbeats stopped. */
    long secondsSinceTick() {
        return (System.currentTimeMillis() - lastTick.get()) / 1000;
    }

    int activeWorkers() {
        return workers.getActiveCount();
    }

    int queued() {
        return workers.getQueue().size();
    }

    boolean accepting() {
        return running.get() && !workers.isShutdown();
    }
}
