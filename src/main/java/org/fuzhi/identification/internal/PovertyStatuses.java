package org.fuzhi.identification.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fuzhi.common.PovertyStatusChanged;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.ScopeFilter;
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

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final ApplicationEventPublisher events;
    private final AuditLog audit;

    PovertyStatuses(JdbcClient jdbc, JdbcTemplate batch, ApplicationEventPublisher events, AuditLog audit) {
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
        jdbc.sql("SELECT person_id, category, village_code FROM person_poverty_status").query(rs -> {
            stored.put(rs.getLong(1), new Given(rs.getString(2), rs.getString(3)));
        });
        ScopeFilter f = ScopeFilter.of(scope, null, "village_code");
        Set<Long> inScope = new HashSet<>(jdbc.sql("SELECT person_id FROM person_poverty_status WHERE " + f.sql())
                .params(f.params()).query(Long.class).list());
        List<Long> lost = inScope.stream().filter(id -> !given.containsKey(id)).sorted().toList();
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
