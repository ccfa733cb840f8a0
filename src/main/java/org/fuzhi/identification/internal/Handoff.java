package org.fuzhi.identification.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Readers on their own connections hand batches over a bounded queue to the thread that holds the run's
 * transaction, so that the database reads for one and writes for the other at the same time (ADR 0008). A failure
 * on either side fails the whole: a reader's is rethrown here, and a writer that fails lets the readers stop
 * instead of waiting on a full queue.
 *
 * @param <T> a batch
 */
final class Handoff<T> {

    private static final Object END = new Object();

    private final BlockingQueue<Object> queue;
    private final AtomicBoolean abandoned = new AtomicBoolean();
    private final String what;

    /** @param what the work, for the messages of an interrupted or abandoned run */
    Handoff(int capacity, String what) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.what = what;
    }

    /** Called by a reader: waits while the queue is full, and gives up once the writer has. */
    void put(T batch) {
        offer(batch);
    }

    private void offer(Object item) {
        try {
            while (!queue.offer(item, 1, TimeUnit.SECONDS)) {
                if (abandoned.get()) {
                    throw new IllegalStateException(what + " abandoned by its writer");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " cancelled", e);
        }
    }

    /**
     * Starts each reader on a thread of its own and hands every batch they put to {@code writer} on this thread,
     * until all of them have ended; returns what the readers returned, in order.
     */
    @SuppressWarnings("unchecked")
    <R> List<R> run(List<Supplier<R>> readers, Consumer<T> writer) {
        ExecutorService pool = Executors.newFixedThreadPool(readers.size());
        try {
            List<Future<R>> results = new ArrayList<>();
            for (Supplier<R> reader : readers) {
                results.add(pool.submit(() -> {
                    try {
                        return reader.get();
                    } finally {
                        offer(END);
                    }
                }));
            }
            for (int ended = 0; ended < readers.size(); ) {
                Object item = queue.take();
                if (item == END) {
                    ended++;
                } else {
                    writer.accept((T) item);
                }
            }
            List<R> out = new ArrayList<>();
            for (Future<R> r : results) {
                out.add(r.get()); // a reader's failure fails the run
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            abandoned.set(true);
            pool.shutdownNow();
        }
    }
}
