package org.fuzhi.identification.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.fuzhi.identification.Rounds.Stage;
import org.fuzhi.identification.Rounds.Step;
import org.fuzhi.identification.Rounds.TaskStatus;
import org.fuzhi.identification.internal.RoundRecords.RoundRow;
import org.fuzhi.identification.internal.RoundRecords.TaskRow;
import org.fuzhi.identification.internal.TaskGraph.EntryCount;
import org.fuzhi.platform.NotFoundException;
import org.junit.jupiter.api.Test;

/**
 * Who waits for whom in a round, without a database. The county below: township 松林镇 (two villages) and township
 * 石桥镇 (one village, plus a village with children that is not surveyed); school A takes children of both townships,
 * school B of 松林镇 only, school C (in the county) of nobody surveyed.
 */
class TaskGraphTest {

    static final String COUNTY = "421182000000";
    static final String T1 = "421182100000";
    static final String V11 = "421182100201";
    static final String V12 = "421182100202";
    static final String T2 = "421182101000";
    static final String V21 = "421182101201";
    static final String V22_UNSURVEYED = "421182101202";

    static RoundRow round(String scope, Stage stage) {
        return new RoundRow(1, "2026 秋季", 2026, "AUTUMN", scope, "v1", stage, 1, null, null, null, "zizhu", null,
                null, null, 0);
    }

    static TaskRow task(long id, Step step, String unit, TaskStatus status) {
        return new TaskRow(id, step, unit, status, null, null, null, null, 0);
    }

    /** The county round with every task in the given status, except those listed as done. */
    static TaskGraph county(Stage stage, long... done) {
        List<TaskRow> tasks = new ArrayList<>();
        Object[][] units = {{1L, Step.SURVEY, V11}, {2L, Step.SURVEY, V12}, {3L, Step.SURVEY, V21},
                {4L, Step.TOWNSHIP, T1}, {5L, Step.TOWNSHIP, T2}, {6L, Step.SCHOOL, "A"}, {7L, Step.SCHOOL, "B"},
                {8L, Step.SCHOOL, "C"}, {9L, Step.CENTER, COUNTY}};
        for (Object[] u : units) {
            long id = (Long) u[0];
            boolean isDone = Arrays.stream(done).anyMatch(d -> d == id);
            tasks.add(task(id, (Step) u[1], (String) u[2], isDone ? TaskStatus.DONE : TaskStatus.PENDING));
        }
        List<EntryCount> counts = List.of(
                new EntryCount("A", "421182100000", V11, 10),
                new EntryCount("A", "421182100000", V21, 4),
                new EntryCount("B", "421182100000", V12, 6),
                new EntryCount("B", "421182100000", V11, 1),
                new EntryCount("C", "421182001000", V22_UNSURVEYED, 3),
                new EntryCount("C", "421182001000", null, 2));
        return new TaskGraph(round(COUNTY, stage), tasks, counts, Map.of(V11, new long[]{7, 1}));
    }

    static List<Long> ids(List<TaskRow> tasks) {
        return tasks.stream().map(TaskRow::id).sorted().toList();
    }

    @Test
    void aTownshipWaitsForItsOwnVillagesOnly() {
        TaskGraph g = county(Stage.VERIFYING);
        assertThat(ids(g.children(g.task(4)))).containsExactly(1L, 2L);
        assertThat(ids(g.children(g.task(5)))).containsExactly(3L);
        assertThat(g.children(g.task(1))).isEmpty();
    }

    @Test
    void aSchoolWaitsForTheTownshipsWhoseSurveyedChildrenItTeaches() {
        TaskGraph g = county(Stage.VERIFYING);
        assertThat(ids(g.children(g.task(6)))).containsExactly(4L, 5L);
        assertThat(ids(g.children(g.task(7)))).containsExactly(4L);
        // C's children live in a village that is not surveyed: it waits for no township.
        assertThat(g.children(g.task(8))).isEmpty();
    }

    @Test
    void theCenterWaitsForEveryOtherUnitOfItsCounty() {
        TaskGraph g = county(Stage.VERIFYING);
        assertThat(ids(g.children(g.task(9)))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(g.parents(g.task(9))).isEmpty();
    }

    @Test
    void parentsAreWhoMaySendATaskBack() {
        TaskGraph g = county(Stage.VERIFYING);
        assertThat(ids(g.parents(g.task(1)))).containsExactly(4L);
        assertThat(ids(g.parents(g.task(4)))).containsExactly(6L, 7L);
        assertThat(ids(g.parents(g.task(5)))).containsExactly(6L);
        assertThat(ids(g.parents(g.task(6)))).containsExactly(9L);
    }

    @Test
    void aTownshipNoSchoolWaitsForReportsToTheCenter() {
        List<TaskRow> tasks = List.of(task(1, Step.SURVEY, V21, TaskStatus.DONE),
                task(2, Step.TOWNSHIP, T2, TaskStatus.PENDING), task(3, Step.CENTER, COUNTY, TaskStatus.PENDING));
        TaskGraph g = new TaskGraph(round(COUNTY, Stage.VERIFYING), tasks,
                List.of(new EntryCount("X", null, V21, 5)), Map.of());
        assertThat(ids(g.parents(g.task(2)))).containsExactly(3L);
        assertThat(g.blockers(g.task(2))).isZero();
        assertThat(g.blockers(g.task(3))).isEqualTo(1);
    }

    @Test
    void blockersCountTheUnitsBelowThatAreNotDone() {
        TaskGraph g = county(Stage.VERIFYING, 1);
        assertThat(g.blockers(g.task(4))).isEqualTo(1); // V12 still open
        assertThat(county(Stage.VERIFYING, 1, 2).blockers(county(Stage.VERIFYING, 1, 2).task(4))).isZero();
        assertThat(g.blockers(g.task(9))).isEqualTo(7);
        // A returned task blocks as much as a pending one.
        List<TaskRow> tasks = List.of(task(1, Step.SURVEY, V21, TaskStatus.RETURNED),
                task(2, Step.TOWNSHIP, T2, TaskStatus.PENDING), task(3, Step.CENTER, COUNTY, TaskStatus.PENDING));
        TaskGraph r = new TaskGraph(round(COUNTY, Stage.VERIFYING), tasks, List.of(), Map.of());
        assertThat(r.blockers(r.task(2))).isEqualTo(1);
    }

    @Test
    void eachUnitCountsTheEntriesItVerifies() {
        TaskGraph g = county(Stage.VERIFYING);
        assertThat(g.entries(g.task(1))).isEqualTo(11); // V11: 10 at A, 1 at B
        assertThat(g.entries(g.task(4))).isEqualTo(17); // 松林镇: V11 and V12
        assertThat(g.entries(g.task(5))).isEqualTo(7);  // 石桥镇: V21 and the unsurveyed village
        assertThat(g.entries(g.task(6))).isEqualTo(14);
        assertThat(g.entries(g.task(8))).isEqualTo(5);
        assertThat(g.entries(g.task(9))).isEqualTo(26); // the whole round, children without a village included
    }

    @Test
    void theSurveyChecksBelongToSurveyTasksOnly() {
        TaskGraph g = county(Stage.VERIFYING);
        assertThat(g.surveyChecks(g.task(1))).containsExactly(7, 1);
        assertThat(g.surveyChecks(g.task(2))).containsExactly(0, 0);
        assertThat(g.surveyChecks(g.task(4))).containsExactly(0, 0);
    }

    @Test
    void anUnknownTaskIsNotFound() {
        assertThatThrownBy(() -> county(Stage.VERIFYING).task(99)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void aProvinceRoundHasOneCenterPerCountyAndEachWaitsForItsOwn() {
        String other = "421127000000";
        String otherTownship = "421127100000";
        String otherVillage = "421127100201";
        List<TaskRow> tasks = List.of(task(1, Step.SURVEY, V11, TaskStatus.DONE),
                task(2, Step.TOWNSHIP, T1, TaskStatus.DONE), task(3, Step.SCHOOL, "A", TaskStatus.PENDING),
                task(4, Step.SURVEY, otherVillage, TaskStatus.PENDING),
                task(5, Step.TOWNSHIP, otherTownship, TaskStatus.PENDING),
                task(6, Step.SCHOOL, "H", TaskStatus.PENDING),
                task(7, Step.CENTER, COUNTY, TaskStatus.PENDING), task(8, Step.CENTER, other, TaskStatus.DONE));
        List<EntryCount> counts = List.of(new EntryCount("A", "421182100000", V11, 3),
                new EntryCount("H", "421127100000", otherVillage, 2),
                // a Wuxue child at a Huangmei school: the school still answers to Huangmei's center
                new EntryCount("H", "421127100000", V11, 1));
        TaskGraph g = new TaskGraph(round("420000000000", Stage.VERIFYING), tasks, counts, Map.of());
        assertThat(ids(g.children(g.task(7)))).containsExactly(1L, 2L, 3L);
        assertThat(ids(g.children(g.task(8)))).containsExactly(4L, 5L, 6L);
        assertThat(ids(g.parents(g.task(6)))).containsExactly(8L);
        assertThat(ids(g.parents(g.task(2)))).containsExactly(3L, 6L);
        assertThat(g.entries(g.task(7))).isEqualTo(4);
        assertThat(g.entries(g.task(8))).isEqualTo(2);
        assertThat(g.lastCenter(g.task(7))).isTrue();
        assertThat(g.lastCenter(g.task(8))).isFalse(); // 7 is still open
    }

    @Test
    void theNoticeStartsWithTheLastCenterOnly() {
        TaskGraph g = county(Stage.VERIFYING);
        assertThat(g.lastCenter(g.task(9))).isTrue();
        assertThat(g.lastCenter(g.task(4))).isFalse();
    }
}
