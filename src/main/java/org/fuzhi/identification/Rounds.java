package org.fuzhi.identification;

import java.io.OutputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.fuzhi.common.Page;
import org.fuzhi.platform.CurrentUser;

/**
 * 识别轮次 — an identification round per school year and term, and its verification workflow:
 * survey (村普查) → township verifies (镇处核实) → school confirms (学校确认) → aid center verifies (资助中心汇总核实)
 * → public notice (公示, masked, at least {@link #NOTICE_WORKING_DAYS} working days, taken down automatically) → final.
 * Every transition checks role and scope and is audited; a unit can finish only when every unit below it has;
 * a final round is locked.
 */
public interface Rounds {

    int NOTICE_WORKING_DAYS = 5;

    enum Stage { VERIFYING, NOTICE, FINAL }

    /** The verification steps in order; each is done by one role for one kind of unit. */
    enum Step { SURVEY, TOWNSHIP, SCHOOL, CENTER }

    enum TaskStatus { PENDING, DONE, RETURNED }

    /** Why a student is in the round: on the poverty roster, or rated hardship by the model (台账, second priority). */
    enum Source { ROSTER, HARDSHIP }

    enum ChangeKind { NEW, EXITED, LEVEL_CHANGED, MOVED_SCHOOL }

    /**
     * A round's id. Rounds and their tasks are both numbered, and both kinds of number meet in the same calls and
     * URLs: a type each makes passing a task's number as a round's a compile error, not a wrong round.
     */
    record RoundId(long value) {
        public static RoundId of(long value) {
            return new RoundId(value);
        }

        @Override
        public String toString() {
            return String.valueOf(value);
        }
    }

    /** A task's id (see {@link RoundId}). */
    record TaskId(long value) {
        public static TaskId of(long value) {
            return new TaskId(value);
        }

        @Override
        public String toString() {
            return String.valueOf(value);
        }
    }

    /** Links, assesses and classifies the students of the scope, opens dropout cases and diffs with the last round. */
    RoundView create(CurrentUser user, NewRound round);

    /**
     * Re-runs a round that is still being verified on the current data. Units whose entries did not change keep
     * their verification; a run that would reset a finished unit's verification is refused (409, naming the units)
     * unless {@code confirmReset}.
     */
    Rerun rerun(CurrentUser user, RoundId roundId, int expectedVersion, boolean confirmReset);

    /** @param resetUnits the units whose finished verification was reset, by name */
    record Rerun(RoundView round, List<String> resetUnits) {
    }

    List<RoundView> list(CurrentUser user);

    RoundView round(CurrentUser user, RoundId roundId);

    /** The tasks the user may see: everything for county-wide roles, otherwise those of their units. */
    List<TaskView> tasks(CurrentUser user, RoundId roundId);

    /** Progress per step over all units of the round (counts only, visible to every participant). */
    Map<Step, Progress> progress(CurrentUser user, RoundId roundId);

    Page<EntryView> entries(CurrentUser user, RoundId roundId, EntryQuery query, int page, int size);

    Summary summary(CurrentUser user, RoundId roundId);

    /** Writes the entries the user may see as .xlsx (names masked as on screen); audited with the row count. */
    long exportEntries(CurrentUser user, RoundId roundId, EntryQuery query, OutputStream out,
                       Locale locale);

    /**
     * Every entry of the round inside the user's scope, streamed in person order, with the facts aid entitlements
     * are generated from (full names: for the aid module's own lists, which mask as the viewer requires).
     */
    void forEachEntry(CurrentUser user, RoundId roundId, Consumer<EntryFact> consumer);

    record EntryFact(long personId, long studentId, String name, Source source, String category, String level,
                     String stage, Integer grade, String schoolCode, String schoolRegionCode, String villageCode,
                     boolean outsideCounty) {
    }

    /** The changes of the latest run against the previous snapshot that concern the user's scope. */
    List<ChangeView> changes(CurrentUser user, RoundId roundId);

    /** Approves the unit's step (村 submits its survey, 镇 verifies, 学校 confirms, 中心 verifies). */
    TaskView complete(CurrentUser user, TaskId taskId, int expectedVersion, String remark);

    /** Sends a finished lower unit's step back with a reason; the returning unit cannot finish until it is redone. */
    TaskView sendBack(CurrentUser user, TaskId taskId, int expectedVersion, String reason);

    /** Ends a notice early because of an objection: the aid center's verification is returned with the reason. */
    RoundView withdrawNotice(CurrentUser user, RoundId roundId, int expectedVersion, String reason);

    /** Makes the round final once its notice has been taken down; the round is locked from then on. */
    RoundView finish(CurrentUser user, RoundId roundId, int expectedVersion);

    /** The rounds still open (not final) that the user takes part in, with how many tasks wait for the user. */
    List<Pending> pending(CurrentUser user);

    /**
     * @param myTasks    tasks the user can approve or return now; {@code finishable} when the center may make it final
     * @param surveyTask the village's own survey still to submit (null otherwise), with its checklist's progress
     */
    record Pending(long roundId, String name, Stage stage, long myTasks, boolean finishable, Long surveyTask,
                   long surveyChecked, long surveyTotal) {
    }

    record NewRound(String name, int schoolYear, String term, String scopeCode) {
    }

    record RoundView(long id, String name, int schoolYear, String term, String scopeCode, String scopeName,
                     String modelVersion, Stage stage, int runs, Long baselineRoundId, LocalDate noticeStart,
                     LocalDate noticeEnd, boolean noticeUp, String createdBy, Instant createdAt, Instant lastRunAt,
                     Instant finishedAt, int version) {
    }

    /**
     * @param mayComplete whether the viewing user may approve this task now
     * @param maySendBack whether the viewing user may return this task now
     * @param blockers    how many units below this one have not finished
     * @param checked     a village survey: children of its list confirmed or flagged so far (0 for other steps)
     * @param flagged     a village survey: children flagged (moved, not in school, facts wrong)
     */
    record TaskView(long id, long roundId, Step step, String unitCode, String unitName, TaskStatus status,
                    String remark, String reason, String decidedBy, Instant decidedAt, int version, long entries,
                    long blockers, boolean mayComplete, boolean maySendBack, long checked, long flagged) {
    }

    record Progress(long total, long done, long returned) {
    }

    /**
     * @param sort a column to sort by ({@code name}, {@code source}, {@code school}, {@code grade}, {@code village},
     *             {@code level}, {@code score}), {@code -} in front for descending; null for the list's own order
     */
    record EntryQuery(Source source, String level, String schoolCode, String text, String sort) {
        public EntryQuery(Source source, String level, String schoolCode, String text) {
            this(source, level, schoolCode, text, null);
        }

        public static EntryQuery all() {
            return new EntryQuery(null, null, null, null);
        }
    }

    /** @param name masked for roles that may not see children's names in full */
    record EntryView(long studentId, String name, Source source, String category, String villageCode,
                     String villageName, String schoolCode, String schoolName, boolean outsideCounty, String stage,
                     Integer grade, double score, String level, List<String> deprived) {
    }

    /**
     * @param rosterByStage   roster students in school by stage group
     * @param levels          students per level (both sources)
     * @param openCases       open dropout-prevention cases inside the scope
     */
    record Summary(long entries, long roster, long hardship, long outsideCounty, Map<String, Long> rosterByStage,
                   Map<String, Long> levels, long openCases, Map<ChangeKind, Long> changes) {
    }

    record ChangeView(ChangeKind kind, String name, String oldSchool, String newSchool, String oldLevel,
                      String newLevel) {
    }

}
