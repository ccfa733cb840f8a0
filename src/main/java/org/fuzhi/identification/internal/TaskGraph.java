package org.fuzhi.identification.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.fuzhi.common.RegionCode;
import org.fuzhi.identification.Rounds.Step;
import org.fuzhi.identification.Rounds.TaskStatus;
import org.fuzhi.identification.internal.RoundRecords.RoundRow;
import org.fuzhi.identification.internal.RoundRecords.TaskRow;
import org.fuzhi.platform.NotFoundException;

/**
 * The tasks of a round with who depends on whom: a village's survey feeds its township; a township feeds the
 * schools its children attend (they confirm after it), or its aid center when none does; schools feed the aid
 * center of the county they are in. Built once per request from rows already read, so it needs no database and is
 * tested without one. A province round has tens of thousands of tasks, so every relation is indexed here rather
 * than searched for each task.
 */
final class TaskGraph {

    /** Entries of the round per school (with where the school is) and village: what the graph is wired from. */
    record EntryCount(String school, String schoolRegion, String village, long n) {
    }

    final RoundRow round;
    final List<TaskRow> tasks;
    private final Map<String, TaskRow> byKey = new HashMap<>();
    private final Map<Long, TaskRow> byId = new HashMap<>();
    private final Map<String, Set<String>> townshipsOfSchool = new HashMap<>();
    private final Map<String, List<TaskRow>> schoolsOfTownship = new HashMap<>();
    private final Map<String, List<TaskRow>> surveysOfTownship = new HashMap<>();
    private final Map<String, String> schoolRegion = new HashMap<>();
    private final Map<String, Long> entriesByVillage = new HashMap<>();
    private final Map<String, Long> entriesByTownship = new HashMap<>();
    private final Map<String, Long> entriesBySchool = new HashMap<>();
    private final Map<String, Long> entriesByCounty = new HashMap<>();
    final List<TaskRow> centers = new ArrayList<>();
    private final Map<String, List<TaskRow>> belowCenter = new HashMap<>();
    /** Per village: children checked and flagged in its survey checklist. */
    private final Map<String, long[]> surveyChecks;
    private long entries;

    TaskGraph(RoundRow round, List<TaskRow> tasks, List<EntryCount> counts, Map<String, long[]> surveyChecks) {
        this.round = round;
        this.tasks = tasks;
        this.surveyChecks = surveyChecks;
        tasks.forEach(t -> {
            byKey.put(t.key(), t);
            byId.put(t.id(), t);
        });
        for (EntryCount c : counts) {
            entries += c.n();
            entriesBySchool.merge(c.school(), c.n(), Long::sum);
            if (c.schoolRegion() != null) {
                schoolRegion.putIfAbsent(c.school(), c.schoolRegion());
            }
            String village = c.village();
            if (village != null) {
                entriesByVillage.merge(village, c.n(), Long::sum);
                entriesByTownship.merge(village.substring(0, 9), c.n(), Long::sum);
                entriesByCounty.merge(village.substring(0, 6), c.n(), Long::sum);
                // Only a village that is surveyed in this round makes its township one the school waits for.
                if (byKey.containsKey(TaskRow.key(Step.SURVEY, village))) {
                    townshipsOfSchool.computeIfAbsent(c.school(), k -> new TreeSet<>())
                            .add(new RegionCode(village).parentCode());
                }
            }
        }
        for (TaskRow t : tasks) {
            switch (t.step()) {
                case SURVEY -> surveysOfTownship.computeIfAbsent(t.unit().substring(0, 9), k -> new ArrayList<>())
                        .add(t);
                case SCHOOL -> townshipsOfSchool.getOrDefault(t.unit(), Set.of()).forEach(tw ->
                        schoolsOfTownship.computeIfAbsent(tw, k -> new ArrayList<>()).add(t));
                case CENTER -> centers.add(t);
                default -> {
                }
            }
        }
        for (TaskRow t : tasks) {
            if (t.step() != Step.CENTER) {
                belowCenter.computeIfAbsent(centers.size() <= 1 ? "" : county(t), k -> new ArrayList<>()).add(t);
            }
        }
    }

    /** The county whose aid center verifies the task's unit (a school's by where the school is). */
    private String county(TaskRow t) {
        String region = t.step() == Step.SCHOOL ? schoolRegion.get(t.unit()) : t.unit();
        return region == null ? "" : region.substring(0, 6);
    }

    /** The tasks that must be done before this one. */
    List<TaskRow> children(TaskRow t) {
        return switch (t.step()) {
            case SURVEY -> List.of();
            case TOWNSHIP -> surveysOfTownship.getOrDefault(t.unit().substring(0, 9), List.of());
            case SCHOOL -> townshipsOfSchool.getOrDefault(t.unit(), Set.of()).stream()
                    .map(tw -> byKey.get(TaskRow.key(Step.TOWNSHIP, tw))).filter(Objects::nonNull).toList();
            case CENTER -> belowCenter.getOrDefault(centers.size() <= 1 ? "" : county(t), List.of());
        };
    }

    /** The tasks that rely on this one: those that may send it back. */
    List<TaskRow> parents(TaskRow t) {
        return switch (t.step()) {
            case SURVEY -> {
                TaskRow p = byKey.get(TaskRow.key(Step.TOWNSHIP, new RegionCode(t.unit()).parentCode()));
                yield p == null ? List.of() : List.of(p);
            }
            case TOWNSHIP -> {
                List<TaskRow> schools = schoolsOfTownship.getOrDefault(t.unit(), List.of());
                yield schools.isEmpty() ? centerOf(t) : schools;
            }
            case SCHOOL -> centerOf(t);
            case CENTER -> List.of();
        };
    }

    private List<TaskRow> centerOf(TaskRow t) {
        if (centers.size() <= 1) {
            return centers;
        }
        String county = county(t);
        return centers.stream().filter(c -> c.unit().startsWith(county)).toList();
    }

    /** How many tasks below this one are not done yet. */
    long blockers(TaskRow t) {
        return children(t).stream().filter(c -> c.status() != TaskStatus.DONE).count();
    }

    /** The round's entries the task's unit verifies. */
    long entries(TaskRow t) {
        return switch (t.step()) {
            case SURVEY -> entriesByVillage.getOrDefault(t.unit(), 0L);
            case TOWNSHIP -> entriesByTownship.getOrDefault(t.unit().substring(0, 9), 0L);
            case SCHOOL -> entriesBySchool.getOrDefault(t.unit(), 0L);
            case CENTER -> centers.size() <= 1 ? entries : entriesByCounty.getOrDefault(county(t), 0L);
        };
    }

    /** Children checked ([0]) and flagged ([1]) in a survey task's checklist; zeros for other steps. */
    long[] surveyChecks(TaskRow t) {
        return t.step() == Step.SURVEY ? surveyChecks.getOrDefault(t.unit(), new long[2]) : new long[2];
    }

    /** Whether this task is the last aid center's: when it is done, the notice starts. */
    boolean lastCenter(TaskRow t) {
        return t.step() == Step.CENTER && centers.stream()
                .allMatch(c -> c.id() == t.id() || c.status() == TaskStatus.DONE);
    }

    TaskRow task(long id) {
        TaskRow t = byId.get(id);
        if (t == null) {
            throw new NotFoundException("task");
        }
        return t;
    }
}
