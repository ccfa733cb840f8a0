package org.fuzhi.identification.internal;

import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.fuzhi.identification.Rounds.Stage;
import org.fuzhi.identification.Rounds.Step;
import org.fuzhi.identification.Rounds.TaskStatus;
import org.fuzhi.identification.internal.RoundRecords.RoundRow;
import org.fuzhi.identification.internal.RoundRecords.TaskRow;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.springframework.security.access.AccessDeniedException;

/**
 * The verification workflow's rules: who carries out a task, who may finish it or send it back, and who sees it.
 * Pure functions of the user, the {@link TaskGraph} and the round's stage, so every rule is tested without a
 * database; {@link RoundService} applies them and writes the result.
 */
final class Workflow {

    private Workflow() {
    }

    static Role roleFor(Step step) {
        return switch (step) {
            case SURVEY -> Role.VILLAGE;
            case TOWNSHIP -> Role.TOWNSHIP;
            case SCHOOL -> Role.SCHOOL_REVIEWER;
            case CENTER -> Role.CENTER;
        };
    }

    /** Whether the user is the unit that carries out this task. */
    static boolean owns(CurrentUser user, TaskRow t) {
        if (user.role() != roleFor(t.step())) {
            return false;
        }
        return t.step() == Step.SCHOOL
                ? user.scope().type() == Scope.Type.SCHOOL && t.unit().equals(user.scope().code())
                : user.scope().containsRegion(t.unit());
    }

    static boolean mayComplete(CurrentUser user, TaskGraph g, TaskRow t) {
        return g.round.stage() == Stage.VERIFYING && owns(user, t) && t.status() != TaskStatus.DONE
                && g.blockers(t) == 0;
    }

    /** Only the unit above may send a task back, while it has not finished itself and nothing above relies on it. */
    static boolean maySendBack(CurrentUser user, TaskGraph g, TaskRow t) {
        if (g.round.stage() != Stage.VERIFYING || t.status() != TaskStatus.DONE) {
            return false;
        }
        List<TaskRow> parents = g.parents(t);
        return parents.stream().anyMatch(p -> owns(user, p) && p.status() != TaskStatus.DONE)
                && parents.stream().noneMatch(p -> p.status() == TaskStatus.DONE);
    }

    /**
     * Refuses a completion that breaks a rule, in the order a user is told: stage, ownership, already done, units
     * below still working, and for a village its checklist ({@code unchecked} is asked only then).
     *
     * @return the remark as it is kept (stripped, or null when blank)
     */
    static String checkComplete(CurrentUser user, TaskGraph g, TaskRow t, LongSupplier unchecked, String remark) {
        requireVerifying(g.round);
        if (!owns(user, t)) {
            throw new AccessDeniedException("task of another unit or step");
        }
        if (t.status() == TaskStatus.DONE) {
            throw new RuleViolationException("round.rule.alreadyDone");
        }
        long blockers = g.blockers(t);
        if (blockers > 0) {
            throw new RuleViolationException("round.rule.blocked", blockers);
        }
        if (t.step() == Step.SURVEY) {
            // The village submits what it has checked: every child of its list confirmed or flagged.
            long left = unchecked.getAsLong();
            if (left > 0) {
                throw new RuleViolationException("survey.rule.unchecked", left);
            }
        }
        String note = remark == null || remark.isBlank() ? null : remark.strip();
        if (note != null && note.length() > 500) {
            throw new RuleViolationException("round.rule.remarkLength");
        }
        return note;
    }

    /**
     * Refuses a send-back that breaks a rule.
     *
     * @return the reason as it is kept (stripped)
     */
    static String checkSendBack(CurrentUser user, TaskGraph g, TaskRow t, String reason,
                                Function<TaskRow, String> unitName) {
        requireVerifying(g.round);
        String why = reason == null ? "" : reason.strip();
        if (why.isEmpty()) {
            throw new RuleViolationException("round.rule.reasonRequired");
        }
        if (why.length() > 500) {
            throw new RuleViolationException("round.rule.reasonLength");
        }
        List<TaskRow> parents = g.parents(t);
        TaskRow own = parents.stream().filter(p -> owns(user, p)).findFirst()
                .orElseThrow(() -> new AccessDeniedException("not the unit above this task"));
        if (t.status() != TaskStatus.DONE) {
            throw new RuleViolationException("round.rule.notDone");
        }
        if (own.status() == TaskStatus.DONE) {
            throw new RuleViolationException("round.rule.ownDone");
        }
        for (TaskRow p : parents) {
            if (p.status() == TaskStatus.DONE) {
                throw new RuleViolationException("round.rule.reliedOn", unitName.apply(p));
            }
        }
        return why;
    }

    /**
     * Who sees a task in the round's list: county-wide roles every unit; a unit its own tasks; a village or township
     * the survey and township tasks of its area; a school the townships whose children it confirms.
     */
    static boolean sees(CurrentUser user, TaskGraph g, TaskRow t) {
        boolean countyWide = (user.role() == Role.CENTER || user.role() == Role.LEADER || user.role() == Role.EVALUATOR)
                && user.scope().type() == Scope.Type.REGION && user.scope().containsRegion(g.round.scopeCode());
        return countyWide || owns(user, t) || switch (user.scope().type()) {
            case REGION -> t.step() != Step.SCHOOL && t.step() != Step.CENTER && user.scope().containsRegion(t.unit());
            case SCHOOL -> g.parents(t).stream().anyMatch(p -> p.step() == Step.SCHOOL
                    && p.unit().equals(user.scope().code()));
            case NONE -> false;
        };
    }

    static void requireNotFinal(RoundRow r) {
        if (r.stage() == Stage.FINAL) {
            throw new RuleViolationException("round.rule.locked");
        }
    }

    static void requireVerifying(RoundRow r) {
        requireNotFinal(r);
        if (r.stage() == Stage.NOTICE) {
            throw new RuleViolationException("round.rule.inNotice");
        }
    }
}
