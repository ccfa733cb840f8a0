package org.fuzhi.platform.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.fuzhi.common.Masking;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.Places;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.ScopeFilter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Hash-chained audit log. Each record's hash covers its content and the previous record's hash, so
 * changing or deleting any record breaks every later link. The single-row chain head is locked with
 * SELECT … FOR UPDATE so that concurrent writers (also across instances) append in one order.
 */
@Service
class JdbcAuditLog implements AuditLog {

    static final String GENESIS = "0".repeat(64);
    private final JdbcClient jdbc;
    private final ObjectProvider<Places> places;

    private final ClientAddress clientAddress;
    private final Path checkpointFile;

    JdbcAuditLog(JdbcClient jdbc, ClientAddress clientAddress,
                 ObjectProvider<Places> places,
                 @Value(
                         "${fuzhi.audit.checkpoint-file:${fuzhi.storage.dir:./data/files}/audit-checkpoint.log}")
                 String checkpointFile) {
        this.clientAddress = clientAddress;
        this.checkpointFile = Path.of(checkpointFile);
        this.jdbc = jdbc;
        this.places = places;
    }

    @Override
    @Transactional(propagation = Propagation.REQUIRED)
    public void record(String action, String targetType, String targetId, Map<String, ?> details) {
        var user = CurrentUser.find();
        append(user.map(CurrentUser::username).orElse("anonymous"),
                user.map(u -> u.role().name()).orElse(null),
                user.map(u -> u.scope().toString()).orElse(null), user.map(u -> regionOf(u.scope())).orElse(null),
                action, targetType, targetId, details);
    }

    @Override
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void recordFor(String actor, String role, String action, String targetType, String targetId,
                          Map<String, ?> details) {
        append(actor, role, null, null, action, targetType, targetId, details);
    }

    /** In the caller's transaction: an account that is rolled back leaves no event of its creation behind. */
    @Override
    @Transactional(propagation = Propagation.REQUIRED)
    public void recordFor(String actor, String role, Scope scope, String action, String targetType,
                          String targetId, Map<String, ?> details) {
        append(actor, role, scope == null ? null : scope.toString(), scope == null ? null : regionOf(scope), action,
                targetType, targetId, details);
    }

    private String regionOf(Scope scope) {
        return switch (scope.type()) {
            case REGION -> scope.code();
            case SCHOOL -> {
                var known = places.getIfAvailable();
                yield known == null ? null : known.regionOfSchool(scope.code()).orElse(null);
            }
            case NONE -> null;
        };
    }

    private void append(String actor, String role, String scope, String scopeRegion, String action, String targetType,
                        String targetId, Map<String, ?> details) {
        var head = jdbc.sql("SELECT last_id, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE")
                .query((rs, n) -> new Object[]{rs.getLong(1), rs.getString(2)}).single();
        long id = (Long) head[0] + 1;
        String prev = (String) head[1];
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String json = redact(toJson(details));
        String safeTarget = targetId == null ? null : redact(targetId);
        String ip = clientIp();
        String hash = hash(prev, id, at, actor, role, action, targetType, safeTarget, scope, json, ip);
        jdbc.sql("""
                INSERT INTO audit_event (id, occurred_at, actor, actor_role, action, target_type, target_id, scope,
                                         details, client_ip, prev_hash, hash, scope_region)
                VALUES (:id, :at, :actor, :role, :action, :tt, :tid, :scope, :details, :ip, :prev, :hash, :region)""")
                .param("region", scopeRegion)
                .param("id", id).param("at", Timestamp.from(at)).param("actor", actor).param("role", role)
                .param("action", action).param("tt", targetType).param("tid", safeTarget).param("scope", scope)
                .param("details", json).param("ip", ip).param("prev", prev).param("hash", hash)
                .update();
        jdbc.sql("UPDATE audit_chain_head SET last_id = :id, last_hash = :hash WHERE id = 1")
                .param("id", id).param("hash", hash).update();
    }

    @Override
    @Transactional(readOnly = true)
    public List<Event> search(Query q) {
        List<Event> out = new ArrayList<>();
        select(q, true, out::add);
        return out;
    }

    @Override
    @Transactional(readOnly = true)
    public void forEach(Query q, Consumer<Event> consumer) {
        select(q, false, consumer);
    }

    @Override
    @Transactional(readOnly = true)
    public long count(Query q) {
        Map<String, Object> p = new TreeMap<>();
        String where = where(q, p);
        return jdbc.sql("SELECT COUNT(*) FROM audit_event WHERE " + where).params(p).query(Long.class).single();
    }

    /** Only these columns sort (never a user's text in SQL); the event's number breaks ties in the same direction. */
    static String order(String sort) {
        boolean desc = sort == null || sort.startsWith("-");
        String dir = desc ? " DESC" : "";
        String key = sort == null ? "time" : desc ? sort.substring(1) : sort;
        return switch (key) {
            case "actor" -> "actor" + dir + ", id DESC";
            case "action" -> "action" + dir + ", id DESC";
            // "time" and anything unknown: by the event's number, which is the order events were written in
            default -> "id" + dir;
        };
    }

    private void select(Query q, boolean paged, Consumer<Event> consumer) {
        Map<String, Object> p = new TreeMap<>();
        StringBuilder sql = new StringBuilder("SELECT * FROM audit_event WHERE ").append(where(q, p));
        sql.append(" ORDER BY ").append(order(q.sort()));
        if (paged) {
            sql.append(" LIMIT :size OFFSET :offset");
            p.put("size", q.size());
            p.put("offset", (long) q.page() * q.size());
        }
        jdbc.sql(sql.toString()).withFetchSize(1000).params(p).query(rs -> {
            consumer.accept(new Event(rs.getLong("id"), rs.getTimestamp("occurred_at").toInstant(),
                    rs.getString("actor"), rs.getString("actor_role"), rs.getString("action"),
                    rs.getString("target_type"), rs.getString("target_id"), rs.getString("scope"),
                    rs.getString("details"), rs.getString("client_ip")));
        });
    }

    /** The query's conditions (the reader's area first), its parameters put into {@code p}. */
    private static String where(Query q, Map<String, Object> p) {
        StringBuilder sql = new StringBuilder("1=1");
        // The ADMIN reads the whole log (accounts, logins, configuration); everyone else the events of their area.
        CurrentUser reader = CurrentUser.get();
        if (reader.role() != Role.ADMIN) {
            var area = ScopeFilter.of(reader.scope(), null, "scope_region");
            sql.append(" AND ").append(area.sql());
            p.putAll(area.params());
        }
        if (q.actor() != null && !q.actor().isBlank()) {
            sql.append(" AND actor = :actor");
            p.put("actor", q.actor().trim());
        }
        if (q.action() != null && !q.action().isBlank()) {
            sql.append(" AND action = :action");
            p.put("action", q.action().trim());
        }
        if (q.from() != null) {
            sql.append(" AND occurred_at >= :from");
            p.put("from", Timestamp.from(q.from()));
        }
        if (q.to() != null) {
            sql.append(" AND occurred_at < :to");
            p.put("to", Timestamp.from(q.to()));
        }
        return sql.toString();
    }

    /**
     * Writes the chain's head (last id and hash) to a file outside the database, once a minute and after every
     * intact verification. Someone who can rewrite the table can recompute every hash and the head row, but not
     * this file: a later verification that finds the table behind the checkpoint says so.
     */
    @Scheduled(fixedDelay = 60, initialDelay = 60,
            timeUnit = TimeUnit.SECONDS)
    public void checkpoint() {
        var head = jdbc.sql("SELECT last_id, last_hash FROM audit_chain_head WHERE id = 1")
                .query((rs, n) -> new Object[]{rs.getLong(1), rs.getString(2)}).single();
        var last = lastCheckpoint();
        // Never backwards: a head below the last checkpoint is what a truncation looks like, and must stay visible.
        if ((Long) head[0] == 0 || last != null && Long.parseLong(last[0]) >= (Long) head[0]) {
            return;
        }
        try {
            Files.createDirectories(checkpointFile.toAbsolutePath().getParent());
            Files.writeString(checkpointFile, head[0] + " " + head[1] + " " + Instant.now() + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last checkpoint as {id, hash}, or null when none was written. Only the file's tail is read. */
    private String[] lastCheckpoint() {
        if (!Files.exists(checkpointFile)) {
            return null;
        }
        try (var file = new RandomAccessFile(checkpointFile.toFile(), "r")) {
            long start = Math.max(0, file.length() - 4096);
            byte[] tail = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(tail);
            List<String> lines = List.of(new String(tail, StandardCharsets.UTF_8).split("\n"));
            for (int i = lines.size() - 1; i >= 0; i--) {
                String[] f = lines.get(i).strip().split(" ");
                if (f.length >= 2) {
                    return f;
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    @Transactional(readOnly = true)
    public ChainCheck verify() {
        ChainCheck walk = walk();
        String[] cp = lastCheckpoint();
        if (cp == null) {
            if (walk.intact()) {
                checkpoint();
            }
            return walk;
        }
        long cpId = Long.parseLong(cp[0]);
        String stored = jdbc.sql("SELECT hash FROM audit_event WHERE id = :id").param("id", cpId).query(String.class)
                .optional().orElse(null);
        boolean behind = !cp[1].equals(stored);
        if (behind) {
            return new ChainCheck(false, walk.checked(), walk.firstBrokenId() != null ? walk.firstBrokenId() : cpId, cpId,
                    true);
        }
        if (walk.intact()) {
            checkpoint();
        }
        return new ChainCheck(walk.intact(), walk.checked(), walk.firstBrokenId(), cpId, false);
    }

    private ChainCheck walk() {
        List<Long> broken = new ArrayList<>(1);
        long[] checked = {0};
        String[] prev = {GENESIS};
        var progress = Jobs.progress();
        if (progress.jobId() != null) {
            progress.total(jdbc.sql("SELECT COUNT(*) FROM audit_event").query(Long.class).single());
        }
        jdbc.sql("SELECT * FROM audit_event ORDER BY id").withFetchSize(2000).query(rs -> {
            if (!broken.isEmpty()) {
                return;
            }
            if (++checked[0] % 1000 == 0) {
                progress.done(checked[0]);
            }
            long id = rs.getLong("id");
            String expected = hash(prev[0], id, rs.getTimestamp("occurred_at").toInstant(), rs.getString("actor"),
                    rs.getString("actor_role"), rs.getString("action"), rs.getString("target_type"),
                    rs.getString("target_id"), rs.getString("scope"), rs.getString("details"),
                    rs.getString("client_ip"));
            if (!prev[0].equals(rs.getString("prev_hash")) || !expected.equals(rs.getString("hash"))) {
                broken.add(id);
            }
            prev[0] = rs.getString("hash");
        });
        if (broken.isEmpty()) {
            // A deleted tail leaves the head pointing past the last record.
            var head = jdbc.sql("SELECT last_hash FROM audit_chain_head WHERE id = 1").query(String.class).single();
            if (!head.equals(prev[0])) {
                Long last = jdbc.sql("SELECT MAX(id) FROM audit_event").query(Long.class).optional().orElse(0L);
                return new ChainCheck(false, checked[0], last + 1);
            }
        }
        return new ChainCheck(broken.isEmpty(), checked[0], broken.isEmpty() ? null : broken.get(0));
    }

    static String hash(String prev, long id, Instant at, String... fields) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            StringBuilder sb = new StringBuilder(prev).append('|').append(id).append('|')
                    .append(at.truncatedTo(ChronoUnit.MILLIS).toEpochMilli());
            for (String f : fields) {
                // Length-prefixed so that moving text between fields changes the hash.
                String v = f == null ? "" : f;
                sb.append('|').append(v.length()).append(':').append(v);
            }
            return HexFormat.of().formatHex(md.digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String redact(String text) {
        return Masking.redactIdNumbers(text);
    }

    static String toJson(Map<String, ?> details) {
        if (details == null || details.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder("{");
        new TreeMap<>(details).forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(quote(k)).append(':');
            if (v == null) {
                sb.append("null");
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else {
                sb.append(quote(String.valueOf(v)));
            }
        });
        return sb.append('}').toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private String clientIp() {
        return clientAddress.current();
    }
}
