package org.fuzhi.identification.internal;

import static org.fuzhi.identification.internal.RoundRecords.countyOf;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.fuzhi.common.RegionCode;
import org.fuzhi.identification.Rounds.Step;
import org.fuzhi.identification.Rounds.TaskStatus;
import org.fuzhi.identification.internal.RoundRecords.TaskRow;
import org.fuzhi.region.Directory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Lays out a run's tasks: one per village surveyed, township, school that confirms, and aid center — the county's
 * for a county, township or village round; each county's for a city or province round, whose schools are those in
 * its area. On a re-run, a unit whose entries did not change keeps its verification.
 */
@Component
class TaskPlanner {

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final RoundRecords records;
    private final Directory directory;

    TaskPlanner(JdbcClient jdbc, JdbcTemplate template, RoundRecords records, Directory directory) {
        this.jdbc = jdbc;
        this.template = template;
        this.records = records;
        this.directory = directory;
    }

    /**
     * @param rerunNo the run's number on a re-run of the same round, 0 for a first run (nothing to keep)
     * @return the units whose finished verification is reset, by name
     */
    List<String> plan(long roundId, String scopeCode, int rerunNo) {
        Map<String, TaskRow> before = new HashMap<>();
        if (rerunNo > 0) {
            records.tasks(roundId).forEach(t -> before.put(t.key(), t));
        }
        jdbc.sql("DELETE FROM ident_task WHERE round_id = :r").param("r", roundId).update();
        RegionCode area = new RegionCode(scopeCode);
        String prefix = area.prefix();
        boolean aboveCounty = area.level().ordinal() < RegionCode.Level.COUNTY.ordinal();
        Set<String> villages = new TreeSet<>();
        Set<String> townships = new TreeSet<>();
        Set<String> schools = new TreeSet<>();
        Set<String> counties = new TreeSet<>();
        jdbc.sql("SELECT DISTINCT village_code FROM ident_entry WHERE round_id = :r AND village_code IS NOT NULL")
                .param("r", roundId).query(String.class).list().forEach(v -> {
                    if (v.startsWith(prefix) && new RegionCode(v).level() == RegionCode.Level.VILLAGE) {
                        villages.add(v);
                        townships.add(new RegionCode(v).parentCode());
                        counties.add(countyOf(v));
                    }
                });
        Map<String, String> schoolRegion = new HashMap<>();
        jdbc.sql("SELECT DISTINCT school_code, school_region_code FROM ident_entry WHERE round_id = :r "
                + "AND outside_county = FALSE").param("r", roundId).query(rs -> {
                    String region = rs.getString(2);
                    schoolRegion.put(rs.getString(1), region);
                    if (!aboveCounty) {
                        schools.add(rs.getString(1));
                    } else if (region != null && region.startsWith(prefix)) {
                        schools.add(rs.getString(1));
                        counties.add(countyOf(region));
                    }
                });
        Set<String> centers = aboveCounty ? counties : Set.of(countyOf(scopeCode));
        Set<String> affected = rerunNo > 0 ? affectedUnits(roundId, schoolRegion, aboveCounty, scopeCode) : Set.of();
        if (rerunNo > 0) {
            // A unit that is new in this run has not verified anything yet: what stands above it verifies again.
            for (String v : villages) {
                if (!before.containsKey(TaskRow.key(Step.SURVEY, v))) {
                    affected.add(TaskRow.key(Step.TOWNSHIP, new RegionCode(v).parentCode()));
                    affected.add(TaskRow.key(Step.CENTER, aboveCounty ? countyOf(v) : countyOf(scopeCode)));
                }
            }
            for (String sc : schools) {
                if (!before.containsKey(TaskRow.key(Step.SCHOOL, sc))) {
                    String region = schoolRegion.get(sc);
                    affected.add(TaskRow.key(Step.CENTER, aboveCounty && region != null ? countyOf(region)
                            : countyOf(scopeCode)));
                }
            }
        }
        List<Object[]> rows = new ArrayList<>();
        villages.forEach(v -> rows.add(new Object[]{roundId, Step.SURVEY.name(), v}));
        townships.forEach(t -> rows.add(new Object[]{roundId, Step.TOWNSHIP.name(), t}));
        schools.forEach(s -> rows.add(new Object[]{roundId, Step.SCHOOL.name(), s}));
        centers.forEach(c -> rows.add(new Object[]{roundId, Step.CENTER.name(), c}));
        List<Object[]> fresh = new ArrayList<>();
        List<Object[]> kept = new ArrayList<>();
        UnitNames names = new UnitNames(directory);
        List<String> reset = new ArrayList<>();
        for (Object[] row : rows) {
            String key = row[1] + ":" + row[2];
            TaskRow old = before.remove(key);
            if (old != null && !affected.contains(key)) {
                kept.add(new Object[]{roundId, row[1], row[2], old.status().name(), old.remark(), old.reason(),
                        old.decidedBy(), old.decidedAt() == null ? null : Timestamp.from(old.decidedAt())});
            } else {
                if (old != null && old.status() == TaskStatus.DONE) {
                    reset.add(names.unit(old));
                }
                fresh.add(row);
            }
        }
        // A finished unit that no longer has any entry has nothing left to verify: its task goes, and it is said.
        before.values().stream().filter(t -> t.status() == TaskStatus.DONE).forEach(t -> reset.add(names.unit(t)));
        template.batchUpdate("INSERT INTO ident_task (round_id, step, unit_code, status) VALUES (?, ?, ?, 'PENDING')",
                fresh);
        template.batchUpdate("INSERT INTO ident_task (round_id, step, unit_code, status, remark, reason, decided_by, "
                + "decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", kept);
        return reset;
    }

    /**
     * The tasks (step:unit) a re-run's changes reach: the villages and schools of changed entries, the townships of
     * those villages, the schools whose pupils live in those townships (they confirmed after the township), and
     * every aid center above anything reset — an approval may not stand above a unit that must verify again.
     */
    private Set<String> affectedUnits(long roundId, Map<String, String> schoolRegion, boolean aboveCounty,
                                      String scopeCode) {
        Set<String> out = new HashSet<>();
        Set<String> townships = new HashSet<>();
        Set<String> counties = new HashSet<>();
        // Every entry that is new, gone, or changed in village, school or level (also a household that moved
        // village, which the diff for schools does not record), compared with the run before it.
        List<String[]> touched = new ArrayList<>();
        jdbc.sql("""
                SELECT a.village_code, a.school_code, b.village_code, b.school_code FROM ident_entry a
                LEFT JOIN ident_entry_before b ON b.round_id = a.round_id AND b.person_id = a.person_id
                WHERE a.round_id = :r AND (b.person_id IS NULL
                    OR COALESCE(b.village_code, '') <> COALESCE(a.village_code, '')
                    OR COALESCE(b.school_code, '') <> COALESCE(a.school_code, '')
                    OR COALESCE(b.level, '') <> COALESCE(a.level, ''))""").param("r", roundId).query(rs -> {
                    touched.add(new String[]{rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
                });
        jdbc.sql("""
                SELECT b.village_code, b.school_code FROM ident_entry_before b
                LEFT JOIN ident_entry a ON a.round_id = b.round_id AND a.person_id = b.person_id
                WHERE b.round_id = :r AND a.person_id IS NULL""").param("r", roundId).query(rs -> {
                    touched.add(new String[]{rs.getString(1), rs.getString(2), null, null});
                });
        for (String[] t : touched) {
            for (String village : new String[]{t[0], t[2]}) {
                if (village != null && new RegionCode(village).level() == RegionCode.Level.VILLAGE) {
                    out.add(TaskRow.key(Step.SURVEY, village));
                    townships.add(new RegionCode(village).parentCode());
                    counties.add(countyOf(village));
                }
            }
            for (String school : new String[]{t[1], t[3]}) {
                if (school != null) {
                    out.add(TaskRow.key(Step.SCHOOL, school));
                    String region = schoolRegion.get(school);
                    counties.add(region != null ? countyOf(region) : countyOf(scopeCode));
                }
            }
        }
        townships.forEach(t -> out.add(TaskRow.key(Step.TOWNSHIP, t)));
        if (!townships.isEmpty()) {
            jdbc.sql("SELECT DISTINCT school_code, village_code FROM ident_entry WHERE round_id = :r "
                    + "AND outside_county = FALSE AND village_code IS NOT NULL").param("r", roundId).query(rs -> {
                        String village = rs.getString(2);
                        if (village.length() == 12 && townships.contains(village.substring(0, 9) + "000")) {
                            out.add(TaskRow.key(Step.SCHOOL, rs.getString(1)));
                        }
                    });
        }
        if (!out.isEmpty()) {
            if (aboveCounty) {
                counties.forEach(c -> out.add(TaskRow.key(Step.CENTER, c)));
            } else {
                out.add(TaskRow.key(Step.CENTER, countyOf(scopeCode)));
            }
        }
        return out;
    }
}
