package org.fuzhi.identification;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.fuzhi.platform.CurrentUser;

/**
 * What the leader and the center read on the dashboard about identification: the latest round of their area with
 * its progress step by step and its levels, the dropout cases, and the same per township.
 */
public interface Figures {

    /** The latest round the user takes part in (an open one before a final one); empty when there is none. */
    Optional<RoundFigures> latest(CurrentUser user);

    /**
     * @param progress  each step's tasks: total, done, returned
     * @param levels    students per level in the round (both sources)
     * @param cases     dropout-prevention cases of the area by status
     * @param townships per township of the area: roster and hardship entries, open cases
     */
    record RoundFigures(long roundId, String name, Rounds.Stage stage, Map<Rounds.Step, Rounds.Progress> progress,
                        long roster, long hardship, Map<String, Long> levels, Map<Cases.Status, Long> cases,
                        List<TownshipRow> townships) {
    }

    record TownshipRow(String code, String name, long roster, long hardship, long openCases) {
    }
}
