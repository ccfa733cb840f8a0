package org.fuzhi.platform;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * 审计日志 — the tamper-evident record of every write and every sensitive read.
 * Details are redacted before they are stored: anything shaped like an ID number is masked.
 */
public interface AuditLog {

    /** Records an event by the current user (or "anonymous") in the caller's transaction. */
    void record(String action, String targetType, String targetId, Map<String, ?> details);

    /** Records an event for an explicitly named actor, e.g. a failed login. */
    void recordFor(String actor, String role, String action, String targetType, String targetId, Map<String, ?> details);

    /**
     * Records an event for a named actor that belongs to a scope (a sign-in of an account, an account created for a
     * county): the centers and evaluators of that area can then read it.
     */
    void recordFor(String actor, String role, Scope scope, String action, String targetType, String targetId,
                   Map<String, ?> details);

    List<Event> search(Query query);

    /** How many events the query matches (paging ignored), as the reader may see them. */
    long count(Query query);

    /** Streams every event matching the query (paging ignored), newest first, for an export. */
    void forEach(Query query, Consumer<Event> consumer);

    /** Walks the whole chain and reports the first record whose hash does not match. */
    ChainCheck verify();

    /**
     * @param sort "time", "actor" or "action", "-" first for descending; null for newest first (the log's own order,
     *             which the export keeps too)
     */
    record Query(String actor, String action, Instant from, Instant to, int page, int size, String sort) {
        public Query(String actor, String action, Instant from, Instant to, int page, int size) {
            this(actor, action, from, to, page, size, null);
        }
    }

    record Event(long id, Instant occurredAt, String actor, String actorRole, String action, String targetType,
                 String targetId, String scope, String details, String clientIp) {
    }

    /**
     * @param checkpointId     the chain head last written down outside the database (null when none was)
     * @param behindCheckpoint the table ends before that head or holds another record there: records were removed
     *                         or the chain rewritten from that point, however consistent the rest looks
     */
    record ChainCheck(boolean intact, long checked, Long firstBrokenId, Long checkpointId, boolean behindCheckpoint) {
        public ChainCheck(boolean intact, long checked, Long firstBrokenId) {
            this(intact, checked, firstBrokenId, null, false);
        }
    }
}
