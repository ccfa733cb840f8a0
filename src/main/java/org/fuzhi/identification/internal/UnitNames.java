package org.fuzhi.identification.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.fuzhi.common.RegionCode;
import org.fuzhi.region.Directory;
import org.fuzhi.region.RegionView;
import org.fuzhi.region.SchoolView;

/** Region and school names for one request, looked up once each. */
final class UnitNames {

    private final Directory directory;
    private final Map<String, String> regions = new HashMap<>();
    private final Map<String, String> schools = new HashMap<>();

    UnitNames(Directory directory) {
        this.directory = directory;
    }

    /**
     * Looks up at once the names a page is about to show (schools, villages and their townships): one query for the
     * page instead of one per code.
     */
    void prefetch(Collection<String> codes) {
        Set<String> wanted = new HashSet<>();
        for (String code : codes) {
            if (code == null || regions.containsKey(code) || schools.containsKey(code)) {
                continue;
            }
            wanted.add(code);
            if (code.length() == 12 && RegionCode.isValid(code) && new RegionCode(code).level() == RegionCode.Level.VILLAGE) {
                wanted.add(new RegionCode(code).parentCode());
            }
        }
        if (wanted.isEmpty()) {
            return;
        }
        Map<String, String> found = directory.names(wanted);
        for (String code : wanted) {
            (code.length() == 12 ? regions : schools).put(code, found.getOrDefault(code, code));
        }
    }

    String region(String code) {
        return code == null ? null : regions.computeIfAbsent(code,
                c -> directory.region(c).map(RegionView::name).orElse(c));
    }

    String school(String code) {
        return code == null ? null : schools.computeIfAbsent(code,
                c -> directory.school(c).map(SchoolView::name).orElse(c));
    }

    /**
     * A place as people name it: a village with its township (village names repeat from township to township:
     * 12 townships have a 向阳村), anything above by its own name.
     */
    String place(String code) {
        if (code == null) {
            return null;
        }
        if (code.length() == 12 && RegionCode.isValid(code) && new RegionCode(code).level() == RegionCode.Level.VILLAGE) {
            return region(new RegionCode(code).parentCode()) + " " + region(code);
        }
        return region(code);
    }

    /** The unit that carries out a task, as people name it. */
    String unit(RoundRecords.TaskRow t) {
        return switch (t.step()) {
            case SCHOOL -> school(t.unit());
            // village names repeat from township to township (新华社区 in each): name the township too
            case SURVEY -> place(t.unit());
            default -> region(t.unit());
        };
    }
}
