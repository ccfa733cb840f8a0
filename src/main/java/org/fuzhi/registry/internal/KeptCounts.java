package org.fuzhi.registry.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.ScopeFilter;
import org.fuzhi.common.Stage;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The overview's figures for any scope, from counts the registry's writers keep (tables of V37) rather than a count
 * over every enrolment per request: at province scale that count took 15 s and the overview is the first thing every
 * user sees.
 *
 * <p>A writer says what it touched — schools, the villages of households, households, persons — and the cells of
 * those are recounted from the base tables once, just before its transaction commits, inside it: the figures are
 * never stale and a rolled-back change (a dry run) leaves them as they were. A recount reads the committed state
 * plus the transaction's own changes under one lock row, so two writers of the same school recount one after the
 * other and the second sees the first.
 */
@Component
class KeptCounts {

    /** Beyond this many schools (or persons, or households) one recount of everything is cheaper than the lists. */
    static final int RECOUNT_ALL_SCHOOLS = 2_000;
    static final int RECOUNT_ALL_ROWS = 50_000;
    private static final int IN_LIST = 1_000;
    private static final int COUNTY_DIGITS = 6;
    /** A county cell's codes: the county's code padded to 12 digits (NULL stays NULL), as in V40. */
    private static final String COUNTY_OF_SCHOOL = "SUBSTRING(school_region_code, 1, 6) || '000000'";
    private static final String COUNTY_OF_HOUSEHOLD = "SUBSTRING(household_region_code, 1, 6) || '000000'";

    private final JdbcClient jdbc;
    private final List<String> rebuild;

    KeptCounts(JdbcClient jdbc) {
        this.jdbc = jdbc;
        this.rebuild = statements("registry/kept-counts-rebuild.sql");
    }

    // ---- reading ----

    /** In-school students of a children scope: all, and those on the poverty roster by statistical stage group. */
    record StudentFigures(long total, Map<String, Long> poorByStage) {
    }

    StudentFigures students(Scope scope) {
        ScopeFilter f = ScopeFilter.children(scope, "c.school_code", "c.school_region_code", "c.household_region_code");
        String table = cells(scope, null);
        Map<String, Long> poor = new LinkedHashMap<>();
        for (Stage.StatGroup g : Stage.StatGroup.values()) {
            poor.put(g.name(), 0L);
        }
        long[] total = {0};
        jdbc.sql("SELECT c.stage, c.poor, SUM(c.students) FROM " + table + " c WHERE c.status = 'IN_SCHOOL' AND "
                + f.sql() + " GROUP BY c.stage, c.poor").params(f.params()).query(rs -> {
                    long n = rs.getLong(3);
                    total[0] += n;
                    if (rs.getBoolean(2)) {
                        poor.merge(Stage.valueOf(rs.getString(1)).statGroup().name(), n, Long::sum);
                    }
                });
        return new StudentFigures(total[0], poor);
    }

    /**
     * The student list's total without a text search: the enrolments of a children scope with the list's filters
     * (each null when not set), which are all columns of a cell.
     */
    long listTotal(Scope scope, String schoolCode, String stage, String status, Boolean poor) {
        ScopeFilter f = ScopeFilter.children(scope, "c.school_code", "c.school_region_code", "c.household_region_code");
        StringBuilder sql = new StringBuilder("SELECT COALESCE(SUM(c.students), 0) FROM ")
                .append(cells(scope, schoolCode)).append(" c WHERE ").append(f.sql());
        Map<String, Object> p = new LinkedHashMap<>(f.params());
        if (schoolCode != null) {
            sql.append(" AND c.school_code = :school");
            p.put("school", schoolCode);
        }
        if (stage != null) {
            sql.append(" AND c.stage = :stage");
            p.put("stage", stage);
        }
        if (status != null) {
            sql.append(" AND c.status = :status");
            p.put("status", status);
        }
        if (poor != null) {
            sql.append(poor ? " AND c.poor" : " AND NOT c.poor");
        }
        return jdbc.sql(sql.toString()).params(p).query(Long.class).single();
    }

    /**
     * The cells a figure is summed from: by county for a county, a city or the province (their scope condition selects
     * whole counties, so the sums are the same), by school otherwise and whenever one school is asked for.
     */
    private static String cells(Scope scope, String schoolCode) {
        return scope.type() == Scope.Type.REGION && scope.regionPrefix().length() <= COUNTY_DIGITS && schoolCode == null
                ? "registry_county_count" : "registry_student_count";
    }

    /** Households of a scope: a region's those who live in it, a school's those of its pupils. */
    long households(Scope scope, boolean rosterOnly) {
        if (scope.type() == Scope.Type.SCHOOL) {
            // A school's households are found through its own enrolments (by index), not by testing every household.
            return jdbc.sql("SELECT COUNT(DISTINCT h.id) FROM enrolment e JOIN person p ON p.id = e.person_id "
                            + "JOIN household h ON h.id = p.household_id WHERE e.school_code = :school"
                            + (rosterOnly ? " AND h.on_roster" : ""))
                    .param("school", scope.code()).query(Long.class).single();
        }
        ScopeFilter f = ScopeFilter.of(scope, null, "c.region_code");
        return jdbc.sql("SELECT COALESCE(SUM(c.households), 0) FROM registry_household_count c WHERE " + f.sql()
                        + (rosterOnly ? " AND c.on_roster" : ""))
                .params(f.params()).query(Long.class).single();
    }

    // ---- what a writer touched ----

    /** Schools whose pupils were added, removed or changed (the old school and the new one of a moved pupil). */
    void touchSchools(Collection<String> codes) {
        pending(p -> p.schools.addAll(codes));
    }

    /** Villages whose households were added or changed (the old village and the new one of a moved household). */
    void touchVillages(Collection<String> codes) {
        pending(p -> p.householdRegions.addAll(codes));
    }

    /** Households whose village or members changed: their pupils' schools are recounted. */
    void touchHouseholds(Collection<String> householdNos) {
        pending(p -> {
            if (!p.everything) {
                p.householdNos.addAll(householdNos);
                p.everythingBeyond(p.householdNos.size());
            }
        });
    }

    /** Persons whose poverty status changed: their schools are recounted. */
    void touchPersons(Collection<Long> personIds) {
        pending(p -> {
            if (!p.everything) {
                p.persons.addAll(personIds);
                p.everythingBeyond(p.persons.size());
            }
        });
    }

    private static final class Pending {
        final Set<String> schools = new HashSet<>();
        final Set<String> householdRegions = new HashSet<>();
        final Set<String> householdNos = new HashSet<>();
        final Set<Long> persons = new HashSet<>();
        /** Everything is recounted at the end: the lists are not kept (a province's first linkage names 2M persons). */
        boolean everything;

        void everythingBeyond(int rows) {
            if (rows > RECOUNT_ALL_ROWS) {
                everything = true;
                householdNos.clear();
                persons.clear();
            }
        }
    }

    private void pending(Consumer<Pending> mark) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            // Every registry writer is transactional; a caller without one still gets exact figures at once.
            Pending p = new Pending();
            mark.accept(p);
            recount(p);
            return;
        }
        Pending p = (Pending) TransactionSynchronizationManager.getResource(this);
        if (p == null) {
            Pending fresh = new Pending();
            TransactionSynchronizationManager.bindResource(this, fresh);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void beforeCommit(boolean readOnly) {
                    recount(fresh);
                }

                @Override
                public void afterCompletion(int status) {
                    TransactionSynchronizationManager.unbindResourceIfPossible(KeptCounts.this);
                }
            });
            p = fresh;
        }
        mark.accept(p);
    }

    // ---- recounting ----

    private void recount(Pending p) {
        if (p.schools.isEmpty() && p.householdRegions.isEmpty() && p.householdNos.isEmpty() && p.persons.isEmpty()
                && !p.everything) {
            return;
        }
        jdbc.sql("SELECT id FROM registry_count_lock WHERE id = 1 FOR UPDATE").query(Integer.class).single();
        Set<String> schools = new HashSet<>(p.schools);
        Set<String> regions = new HashSet<>(p.householdRegions);
        if (p.everything) {
            recountAll();
            return;
        }
        for (List<Long> ids : chunks(new ArrayList<>(p.persons))) {
            schools.addAll(jdbc.sql("SELECT DISTINCT school_code FROM enrolment WHERE person_id IN (:ids)")
                    .param("ids", ids).query(String.class).list());
        }
        for (List<String> nos : chunks(new ArrayList<>(p.householdNos))) {
            schools.addAll(jdbc.sql("SELECT DISTINCT e.school_code FROM household h JOIN person p ON p.household_id = h.id "
                    + "JOIN enrolment e ON e.person_id = p.id WHERE h.household_no IN (:nos)")
                    .param("nos", nos).query(String.class).list());
            regions.addAll(jdbc.sql("SELECT DISTINCT region_code FROM household WHERE household_no IN (:nos)")
                    .param("nos", nos).query(String.class).list());
        }
        if (schools.size() > RECOUNT_ALL_SCHOOLS) {
            recountAll();
            return;
        }
        // The counties whose county cells change: those of the school cells before the recount and after it.
        Set<String> counties = new HashSet<>();
        for (List<String> codes : chunks(new ArrayList<>(schools))) {
            counties.addAll(countiesOf(codes));
            jdbc.sql("DELETE FROM registry_student_count WHERE school_code IN (:codes)").param("codes", codes).update();
            jdbc.sql("""
                    INSERT INTO registry_student_count (school_code, school_region_code, household_region_code, stage,
                                                        status, poor, students)
                    SELECT e.school_code, e.school_region_code, h.region_code, e.stage, e.status, ps.person_id IS NOT NULL,
                           COUNT(*)
                    FROM enrolment e JOIN person p ON p.id = e.person_id LEFT JOIN household h ON h.id = p.household_id
                    LEFT JOIN person_poverty_status ps ON ps.person_id = p.id
                    WHERE e.school_code IN (:codes)
                    GROUP BY e.school_code, e.school_region_code, h.region_code, e.stage, e.status,
                             ps.person_id IS NOT NULL""")
                    .param("codes", codes).update();
            counties.addAll(countiesOf(codes));
        }
        recountCounties(counties);
        for (List<String> codes : chunks(new ArrayList<>(regions))) {
            jdbc.sql("DELETE FROM registry_household_count WHERE region_code IN (:codes)").param("codes", codes).update();
            jdbc.sql("INSERT INTO registry_household_count (region_code, on_roster, households) "
                            + "SELECT region_code, on_roster, COUNT(*) FROM household WHERE region_code IN (:codes) "
                            + "GROUP BY region_code, on_roster")
                    .param("codes", codes).update();
        }
    }

    /** The counties (6 digits) where the given schools stand or where their pupils' households live. */
    private Set<String> countiesOf(List<String> schoolCodes) {
        Set<String> out = new HashSet<>();
        jdbc.sql("SELECT DISTINCT school_region_code, household_region_code FROM registry_student_count "
                + "WHERE school_code IN (:codes)").param("codes", schoolCodes).query(rs -> {
                    for (int i = 1; i <= 2; i++) {
                        String code = rs.getString(i);
                        if (code != null) {
                            out.add(code.substring(0, COUNTY_DIGITS));
                        }
                    }
                });
        return out;
    }

    /**
     * Rebuilds the county cells that involve any of the counties, as the school's county or as the household's, from
     * the school cells. Both sides of the rebuild select by the same condition, so a cell of two counties is rebuilt
     * once, whole.
     */
    private void recountCounties(Set<String> counties) {
        for (List<String> some : chunks(counties.stream().sorted().toList())) {
            StringBuilder fine = new StringBuilder();
            StringBuilder coarse = new StringBuilder();
            Map<String, Object> params = new LinkedHashMap<>();
            for (int i = 0; i < some.size(); i++) {
                String sep = i == 0 ? "" : " OR ";
                // Ranges, not a function of the code: the school cells' region indexes serve them.
                fine.append(sep).append("school_region_code BETWEEN :lo").append(i).append(" AND :hi").append(i)
                        .append(" OR household_region_code BETWEEN :lo").append(i).append(" AND :hi").append(i);
                coarse.append(sep).append("school_region_code = :lo").append(i)
                        .append(" OR household_region_code = :lo").append(i);
                params.put("lo" + i, some.get(i) + "000000");
                params.put("hi" + i, some.get(i) + "999999");
            }
            jdbc.sql("DELETE FROM registry_county_count WHERE " + coarse).params(params).update();
            jdbc.sql("INSERT INTO registry_county_count (school_region_code, household_region_code, stage, status, "
                            + "poor, students) SELECT " + COUNTY_OF_SCHOOL + ", " + COUNTY_OF_HOUSEHOLD
                            + ", stage, status, poor, SUM(students) FROM registry_student_count WHERE " + fine
                            + " GROUP BY " + COUNTY_OF_SCHOOL + ", " + COUNTY_OF_HOUSEHOLD + ", stage, status, poor")
                    .params(params).update();
        }
    }

    /** Recounts every cell from the base tables (the same statements bench/province-load.sh runs after a bulk load). */
    void recountAll() {
        rebuild.forEach(s -> jdbc.sql(s).update());
    }

    private static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += IN_LIST) {
            out.add(all.subList(i, Math.min(all.size(), i + IN_LIST)));
        }
        return out;
    }

    private static List<String> statements(String resource) {
        try {
            String text = new ClassPathResource(resource).getContentAsString(StandardCharsets.UTF_8);
            StringBuilder sql = new StringBuilder();
            for (String line : text.split("\n")) {
                if (!line.strip().startsWith("--")) {
                    sql.append(line).append('\n');
                }
            }
            return Arrays.stream(sql.toString().split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
