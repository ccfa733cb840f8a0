package org.fuzhi.identification.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fuzhi.common.PovertyStatusChanged;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.BulkRows;
import org.fuzhi.platform.Scope;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The poverty status identification derives: every person linked to a current roster line carries that line's
 * category. Identification owns the table {@code person_poverty_status} and is its only writer; other modules read it
 * as a published table and hear of each change through {@link PovertyStatusChanged}, in the same transaction.
 * <p>
 * Each status names the village whose roster gave it, so a linkage run over an area replaces exactly the statuses that
 * area's roster gave and leaves another county's alone (a pupil from there taught here keeps what that county gave).
 */
@Component
public class PovertyStatuses {

    /** The status a linkage run gives a person: its roster line's category and village. */
    public record Given(String category, String village) {
    }

    /**
     * One object per category and village instead of one per person: a province holds two million statuses of a few
     * hundred thousand kinds, and the maps of a run live next to the round's own.
     */
    static final class Interner {
        private final Map<Given, Given> seen = new HashMap<>();

        Given of(String category, String village) {
            Given g = new Given(category, village);
            Given before = seen.putIfAbsent(g, g);
            return before == null ? g : before;
        }
    }

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final ApplicationEventPublisher events;
    private final AuditLog audit;
    private final BulkRows bulk;

    /** Written rows after which the table's statistics are refreshed. */
    static final int ANALYZE_AFTER = 10_000;

    PovertyStatuses(JdbcClient jdbc, JdbcTemplate batch, ApplicationEventPublisher events, AuditLog audit,
                    BulkRows bulk) {
        this.bulk = bulk;
        this.jdbc = jdbc;
        this.batch = batch;
        this.events = events;
        this.audit = audit;
    }

    /**
     * Replaces the statuses the rosters of {@code scope} gave: the persons in {@code given} carry theirs, every other
     * status from a village of the scope goes. Writes only what changed, by primary key in lists: a province re-run
     * changes a few thousand of two million statuses.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public PovertyStatusChanged replace(Scope scope, Map<Long, Given> given) {
        // Every stored status, without joins: reading two million narrow rows is cheaper than comparing them in SQL
        // on H2, and a person given a status here may hold one from another area's roster.
        Map<Long, Given> stored = new HashMap<>();
        Interner kinds = new Interner();
        jdbc.sql("SELECT person_id, category, village_code FROM person_poverty_status").query(rs -> {
            stored.put(rs.getLong(1), kinds.of(rs.getString(2), rs.getString(3)));
        });
        // A status from a village of the scope that this run no longer gives.
        List<Long> lost = stored.entrySet().stream()
                .filter(e -> scope.containsRegion(e.getValue().village()) && !given.containsKey(e.getKey()))
                .map(Map.Entry::getKey).sorted().toList();
        List<Map.Entry<Long, Given>> changed = given.entrySet().stream()
                .filter(e -> !e.getValue().equals(stored.get(e.getKey()))).sorted(Map.Entry.comparingByKey()).toList();
        Set<Long> gained = new HashSet<>();
        Set<Long> recategorised = new HashSet<>();
        List<Long> replaced = new ArrayList<>();
        for (var e : changed) {
            if (stored.containsKey(e.getKey())) {
                recategorised.add(e.getKey());
                replaced.add(e.getKey());
            } else {
                gained.add(e.getKey());
            }
        }
        delete(lost);
        delete(replaced);
        batch.batchUpdate("INSERT INTO person_poverty_status (person_id, category, village_code) VALUES (?, ?, ?)",
                changed, 1000, (ps, e) -> {
                    ps.setLong(1, e.getKey());
                    ps.setString(2, e.getValue().category());
                    ps.setString(3, e.getValue().village());
                });
        if (lost.size() + changed.size() >= ANALYZE_AFTER) {
            // Fresh statistics before the round reads the statuses on other connections: planned as the near-empty
            // table a reset had left, PostgreSQL joined a province's 10M students to the 2M statuses by a filter over
            // all of them for each student (minutes instead of seconds).
            bulk.analyze("person_poverty_status");
        }
        var event = new PovertyStatusChanged(gained, new HashSet<>(lost), recategorised);
        if (!event.isEmpty()) {
            events.publishEvent(event);
        }
        audit.record("POVERTY_STATUS_DERIVED", "persons", null, Map.of("persons", given.size(),
                "changed", lost.size() + changed.size(), "scope", String.valueOf(scope)));
        return event;
    }

    private void delete(List<Long> personIds) {
        for (int i = 0; i < personIds.size(); i += 1000) {
            jdbc.sql("DELETE FROM person_poverty_status WHERE person_id IN (:ids)")
                    .param("ids", personIds.subList(i, Math.min(personIds.size(), i + 1000))).update();
        }
    }
}
