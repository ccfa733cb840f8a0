package org.fuzhi.identification.internal;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.fuzhi.identification.SourceList;
import org.fuzhi.registry.Registry;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Adds the other departments' lists to the attributes of the students being assessed. */
@Component
class SourceListFlags {

    private final JdbcClient jdbc;
    private final Registry registry;

    SourceListFlags(JdbcClient jdbc, Registry registry) {
        this.jdbc = jdbc;
        this.registry = registry;
    }

    /** Which lists name each person, and for household-wide lists each household, among current list rows. */
    record Listed(Map<Long, Set<SourceList>> persons, Map<Long, Set<SourceList>> households) {
        Set<SourceList> of(long personId, Long householdId) {
            Set<SourceList> person = persons.get(personId);
            Set<SourceList> household = householdId == null ? null : households.get(householdId);
            if (household == null) {
                // Most students are on no list: no set made for them (a round asks for each of 10M students).
                return person == null ? Set.of() : person;
            }
            Set<SourceList> out = EnumSet.copyOf(household);
            if (person != null) {
                out.addAll(person);
            }
            return out;
        }
    }

    Listed load() {
        Map<String, Set<SourceList>> byId = new HashMap<>();
        jdbc.sql("SELECT id_index, list_type FROM source_list_member WHERE is_current").query(rs -> {
            byId.computeIfAbsent(rs.getString(1), k -> EnumSet.noneOf(SourceList.class))
                    .add(SourceList.valueOf(rs.getString(2)));
        });
        Map<Long, Set<SourceList>> persons = new HashMap<>();
        Map<Long, Set<SourceList>> households = new HashMap<>();
        if (!byId.isEmpty()) {
            registry.householdsByIdIndex(new ArrayList<>(byId.keySet())).forEach((id, ph) -> {
                Set<SourceList> lists = byId.get(id);
                persons.computeIfAbsent(ph.personId(), k -> EnumSet.noneOf(SourceList.class)).addAll(lists);
                if (ph.householdId() != null) {
                    for (SourceList l : lists) {
                        if (l.householdWide()) {
                            households.computeIfAbsent(ph.householdId(), k -> EnumSet.noneOf(SourceList.class)).add(l);
                        }
                    }
                }
            });
        }
        return new Listed(persons, households);
    }

    /** Puts {@code list.*} into the subject's attribute values (they are mutable maps made for this purpose). */
    static void annotate(Listed listed, Registry.AssessmentSubject s) {
        Set<SourceList> on = listed.of(s.placement().personId(), s.placement().householdId());
        for (SourceList l : SourceList.values()) {
            s.values().put(l.attribute(), on.contains(l));
        }
    }

}
