package org.fuzhi.region;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.fuzhi.common.Page;
import org.fuzhi.common.RegionCode;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Scope;

/** 区划与学校目录 — the region module's API. */
public interface Directory {

    Optional<RegionView> region(String code);

    List<RegionView> children(String code);

    /** The divisions at the top (provinces), by code. */
    List<RegionView> roots();

    /**
     * The areas inside a region, for a picker by name: the region itself, then each division below it with the
     * divisions inside that (a county: each township with its villages — 向阳村 exists in several townships).
     */
    default List<AreaGroup> areaGroups(String code) {
        List<AreaGroup> out = new ArrayList<>();
        region(code).ifPresent(r -> out.add(new AreaGroup(r.name(), List.of(r))));
        for (RegionView child : children(code)) {
            List<RegionView> options = new ArrayList<>();
            options.add(child);
            options.addAll(children(child.code()));
            out.add(new AreaGroup(child.name(), options));
        }
        return out;
    }

    /** A group of a picker: a division's name and the areas it holds (itself first). */
    record AreaGroup(String label, List<RegionView> options) {
    }

    /**
     * Names for region codes as a person reads them: a village or township with the division above it
     * ("城关街道 光明村"), anything else by its own name; an unknown code stays as it is.
     */
    default Map<String, String> placeNames(Collection<String> codes) {
        Map<String, String> out = new HashMap<>();
        Map<String, String> own = new HashMap<>();
        Function<String, String> name = c -> own.computeIfAbsent(c,
                k -> region(k).map(RegionView::name).orElse(k));
        for (String c : codes) {
            if (c == null || out.containsKey(c)) {
                continue;
            }
            var level = RegionCode.isValid(c) ? new RegionCode(c).level() : null;
            boolean withParent = level == RegionCode.Level.VILLAGE;
            out.put(c, withParent ? name.apply(new RegionCode(c).parentCode()) + " " + name.apply(c)
                    : name.apply(c));
        }
        return out;
    }

    /** The chain from the province down to this division, for breadcrumbs. */
    List<RegionView> ancestry(String code);

    Optional<SchoolView> school(String code);

    /**
     * Names of many schools or divisions at once (a table's rows), by code; a code that names nothing is absent. One
     * query instead of one per row: a county's term summary names some 300 schools.
     */
    Map<String, String> names(Collection<String> codes);

    /** The first village (by code) inside a scope — a school's own village for a school — for template examples. */
    Optional<String> firstVillage(Scope scope);

    /** Schools the scope may see, filtered and paged. */
    Page<SchoolView> schools(Scope scope, SchoolQuery query, int page, int size);

    List<GroupView> groupsOf(String schoolCode);

    /** Writes the schools the scope may see as .xlsx; audited. */
    long exportSchools(CurrentUser user, SchoolQuery query, OutputStream out,
                       Locale locale);

    /** Key poor villages inside the scope. */
    long keyPoorVillages(Scope scope);

    /** Schools located in key poor villages inside the scope, by type, and their teachers. */
    KeyVillageSchools keyVillageSchools(Scope scope);

    /** Alliance and district counts inside the scope. */
    Map<String, Long> groupCounts(Scope scope);

    void saveGroup(String kind, String code, String name, String leadSchoolCode, List<String> memberCodes);

    /** The same rule as the school list's SQL filter, for a single school already loaded. */
    static boolean visible(Scope scope, SchoolView s) {
        return switch (scope.type()) {
            case NONE -> false;
            case SCHOOL -> s.code().equals(scope.code());
            case REGION -> s.outOfCounty() || scope.containsRegion(s.regionCode());
        };
    }

    /** @param sort a column of the list ("code", "name", "type", "region", "teachers"; "-" first for descending) */
    record SchoolQuery(String text, String type, String regionCode, String sort) {
        public SchoolQuery(String text, String type, String regionCode) {
            this(text, type, regionCode, null);
        }
    }

    record KeyVillageSchools(long total, Map<String, Long> byType, long teachers) {
    }

    record GroupView(String kind, String code, String name, String leadSchoolCode, List<String> members) {
    }
}
