package org.fuzhi.identification;

import java.time.Instant;
import java.util.List;
import org.fuzhi.platform.CurrentUser;

/**
 * 村级普查 as a checklist: the children of one village in a round (by the household's village, not the school's),
 * each confirmed by the village or flagged with a reason, and children the list missed reported by name. The
 * village submits its survey ({@link Rounds#complete}) only when every child is checked; the township and the aid
 * center read the checklist and its flags.
 */
public interface Surveys {

    /** What the village says of a child on its list. */
    enum Mark {
        CONFIRMED, MOVED, NOT_IN_SCHOOL, FACTS_WRONG;

        public boolean flagged() {
            return this != CONFIRMED;
        }
    }

    /** Which children the page lists. */
    enum Show { ALL, TODO, FLAGGED }

    /** The checklist of a village's survey task; children as the viewer may see them. */
    Checklist checklist(CurrentUser user, Rounds.TaskId taskId, Show show);

    /** Confirms or flags one child (a flag needs a reason in words); the village may change its mind until it submits. */
    Child mark(CurrentUser user, Rounds.TaskId taskId, long studentId, Mark mark, String note);

    /** Confirms every child not yet checked (the cadre has gone through the list on paper); returns how many. */
    int confirmRest(CurrentUser user, Rounds.TaskId taskId);

    /** Reports a child of the village the list does not hold (not enrolled, or enrolled elsewhere unseen). */
    Missing reportMissing(CurrentUser user, Rounds.TaskId taskId, String name, String note);

    /**
     * @param children the children shown (per {@code show}); {@code total}, {@code checked}, {@code flagged} count all
     * @param mayEdit  whether the viewer is the village and the survey is still open
     */
    record Checklist(long taskId, long roundId, String roundName, String villageCode, String villageName,
                     Rounds.TaskStatus status, int version, long total, long checked, long flagged,
                     List<Child> children, List<Missing> missing, boolean mayEdit, boolean mayComplete) {

        public long unchecked() {
            return total - checked;
        }

        /** 0–100 for the progress bar. */
        public int percent() {
            return total == 0 ? 100 : (int) (checked * 100 / total);
        }
    }

    /** @param mark null while not checked */
    record Child(long studentId, String name, String schoolName, String stage, Integer grade, String level,
                 Rounds.Source source, Mark mark, String note, String checkedBy, Instant checkedAt) {
    }

    record Missing(long id, String name, String note, String reportedBy, Instant reportedAt) {
    }
}
