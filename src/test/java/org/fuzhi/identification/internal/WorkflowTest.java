package org.fuzhi.identification.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fuzhi.identification.internal.TaskGraphTest.COUNTY;
import static org.fuzhi.identification.internal.TaskGraphTest.T1;
import static org.fuzhi.identification.internal.TaskGraphTest.T2;
import static org.fuzhi.identification.internal.TaskGraphTest.V11;
import static org.fuzhi.identification.internal.TaskGraphTest.V12;
import static org.fuzhi.identification.internal.TaskGraphTest.county;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.fuzhi.identification.Rounds.Stage;
import org.fuzhi.identification.Rounds.Step;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.junit.jupiter.api.Test;
import org.springframework.security.access.AccessDeniedException;

/** The workflow's rules on the county of {@link TaskGraphTest}, without a database. */
class WorkflowTest {

    static CurrentUser user(Role role, Scope scope) {
        return new CurrentUser(1, role.name().toLowerCase(), "某某", role, scope);
    }

    static final CurrentUser VILLAGE_11 = user(Role.VILLAGE, Scope.region(V11));
    static final CurrentUser VILLAGE_12 = user(Role.VILLAGE, Scope.region(V12));
    static final CurrentUser TOWNSHIP_1 = user(Role.TOWNSHIP, Scope.region(T1));
    static final CurrentUser TOWNSHIP_2 = user(Role.TOWNSHIP, Scope.region(T2));
    static final CurrentUser REVIEWER_A = user(Role.SCHOOL_REVIEWER, Scope.school("A"));
    static final CurrentUser REVIEWER_B = user(Role.SCHOOL_REVIEWER, Scope.school("B"));
    static final CurrentUser OPERATOR_A = user(Role.SCHOOL_OPERATOR, Scope.school("A"));
    static final CurrentUser CENTER = user(Role.CENTER, Scope.region(COUNTY));
    static final CurrentUser OTHER_CENTER = user(Role.CENTER, Scope.region("421127000000"));
    static final CurrentUser LEADER = user(Role.LEADER, Scope.region(COUNTY));

    static final LongSupplier NONE_LEFT = () -> 0;

    static String code(ThrowingCall call) {
        try {
            call.run();
        } catch (RuleViolationException e) {
            return e.messageKey();
        }
        throw new AssertionError("no rule was broken");
    }

    interface ThrowingCall {
        void run();
    }

    @Test
    void eachStepIsCarriedOutByOneRoleForItsOwnUnit() {
        TaskGraph g = county(Stage.VERIFYING);
        assertThat(Workflow.owns(VILLAGE_11, g.task(1))).isTrue();
        assertThat(Workflow.owns(VILLAGE_12, g.task(1))).isFalse();
        assertThat(Workflow.owns(TOWNSHIP_1, g.task(1))).isFalse(); // a township does not survey for its villages
        assertThat(Workflow.owns(TOWNSHIP_1, g.task(4))).isTrue();
        assertThat(Workflow.owns(TOWNSHIP_2, g.task(4))).isFalse();
        assertThat(Workflow.owns(REVIEWER_A, g.task(6))).isTrue();
        assertThat(Workflow.owns(REVIEWER_B, g.task(6))).isFalse();
        assertThat(Workflow.owns(OPERATOR_A, g.task(6))).isFalse(); // the operator enters data, the reviewer confirms
        assertThat(Workflow.owns(CENTER, g.task(9))).isTrue();
        assertThat(Workflow.owns(OTHER_CENTER, g.task(9))).isFalse();
        assertThat(Workflow.owns(LEADER, g.task(9))).isFalse();
        assertThat(Workflow.owns(CENTER, g.task(4))).isFalse();
    }

    @Test
    void aUnitMayCompleteOnlyWhenEverythingBelowItIsDone() {
        TaskGraph open = county(Stage.VERIFYING, 1);
        assertThat(Workflow.mayComplete(VILLAGE_12, open, open.task(2))).isTrue();
        assertThat(Workflow.mayComplete(TOWNSHIP_1, open, open.task(4))).isFalse();
        assertThat(code(() -> Workflow.checkComplete(TOWNSHIP_1, open, open.task(4), NONE_LEFT, null)))
                .isEqualTo("round.rule.blocked");
        TaskGraph ready = county(Stage.VERIFYING, 1, 2);
        assertThat(Workflow.mayComplete(TOWNSHIP_1, ready, ready.task(4))).isTrue();
        assertThat(Workflow.checkComplete(TOWNSHIP_1, ready, ready.task(4), NONE_LEFT, "  核实无误 ")).isEqualTo("核实无误");
    }

    @Test
    void theBlockedRefusalSaysHowManyUnitsAreLeft() {
        TaskGraph g = county(Stage.VERIFYING);
        try {
            Workflow.checkComplete(CENTER, g, g.task(9), NONE_LEFT, null);
        } catch (RuleViolationException e) {
            assertThat(e.args()).containsExactly(8L);
            return;
        }
        throw new AssertionError("the center completed over eight open units");
    }

    @Test
    void aDoneTaskIsNotCompletedTwice() {
        TaskGraph g = county(Stage.VERIFYING, 1);
        assertThat(Workflow.mayComplete(VILLAGE_11, g, g.task(1))).isFalse();
        assertThat(code(() -> Workflow.checkComplete(VILLAGE_11, g, g.task(1), NONE_LEFT, null)))
                .isEqualTo("round.rule.alreadyDone");
    }

    @Test
    void anotherUnitsTaskIsRefusedAsAccess() {
        TaskGraph g = county(Stage.VERIFYING);
        assertThatThrownBy(() -> Workflow.checkComplete(VILLAGE_12, g, g.task(1), NONE_LEFT, null))
                .isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> Workflow.checkComplete(LEADER, g, g.task(9), NONE_LEFT, null))
                .isInstanceOf(AccessDeniedException.class);
    }

    @Test
    void aVillageSubmitsOnlyWhenEveryChildIsChecked() {
        TaskGraph g = county(Stage.VERIFYING);
        assertThat(code(() -> Workflow.checkComplete(VILLAGE_11, g, g.task(1), () -> 3, null)))
                .isEqualTo("survey.rule.unchecked");
        assertThat(Workflow.checkComplete(VILLAGE_11, g, g.task(1), NONE_LEFT, "")).isNull();
        // Only a survey asks its checklist: a township's completion does not depend on a village's list.
        AtomicInteger asked = new AtomicInteger();
        TaskGraph ready = county(Stage.VERIFYING, 1, 2);
        Workflow.checkComplete(TOWNSHIP_1, ready, ready.task(4), () -> asked.incrementAndGet() + 5, null);
        assertThat(asked).hasValue(0);
    }

    @Test
    void aRemarkHasAtMost500Characters() {
        TaskGraph g = county(Stage.VERIFYING);
        assertThat(Workflow.checkComplete(VILLAGE_11, g, g.task(1), NONE_LEFT, "备".repeat(500))).hasSize(500);
        assertThat(code(() -> Workflow.checkComplete(VILLAGE_11, g, g.task(1), NONE_LEFT, "备".repeat(501))))
                .isEqualTo("round.rule.remarkLength");
    }

    @Test
    void nothingMovesDuringTheNoticeOrAfterTheRoundIsFinal() {
        TaskGraph notice = county(Stage.NOTICE);
        assertThat(Workflow.mayComplete(VILLAGE_11, notice, notice.task(1))).isFalse();
        assertThat(code(() -> Workflow.checkComplete(VILLAGE_11, notice, notice.task(1), NONE_LEFT, null)))
                .isEqualTo("round.rule.inNotice");
        TaskGraph last = county(Stage.FINAL);
        assertThat(code(() -> Workflow.checkComplete(VILLAGE_11, last, last.task(1), NONE_LEFT, null)))
                .isEqualTo("round.rule.locked");
        TaskGraph done = county(Stage.NOTICE, 1);
        assertThat(Workflow.maySendBack(TOWNSHIP_1, done, done.task(1))).isFalse();
        assertThat(code(() -> Workflow.checkSendBack(TOWNSHIP_1, done, done.task(1), "重查", t -> "")))
                .isEqualTo("round.rule.inNotice");
    }

    @Test
    void theUnitAboveSendsBackADoneTaskWithAReason() {
        TaskGraph g = county(Stage.VERIFYING, 1);
        assertThat(Workflow.maySendBack(TOWNSHIP_1, g, g.task(1))).isTrue();
        assertThat(Workflow.maySendBack(TOWNSHIP_2, g, g.task(1))).isFalse();
        assertThat(Workflow.maySendBack(CENTER, g, g.task(1))).isFalse(); // not the unit directly above
        assertThat(Workflow.checkSendBack(TOWNSHIP_1, g, g.task(1), " 名单漏了一户 ", t -> "")).isEqualTo("名单漏了一户");
        assertThat(code(() -> Workflow.checkSendBack(TOWNSHIP_1, g, g.task(1), "  ", t -> "")))
                .isEqualTo("round.rule.reasonRequired");
        assertThat(code(() -> Workflow.checkSendBack(TOWNSHIP_1, g, g.task(1), "因".repeat(501), t -> "")))
                .isEqualTo("round.rule.reasonLength");
        assertThatThrownBy(() -> Workflow.checkSendBack(TOWNSHIP_2, g, g.task(1), "重查", t -> ""))
                .isInstanceOf(AccessDeniedException.class);
        // An open task has nothing to send back.
        assertThat(Workflow.maySendBack(TOWNSHIP_1, g, g.task(2))).isFalse();
        assertThat(code(() -> Workflow.checkSendBack(TOWNSHIP_1, g, g.task(2), "重查", t -> "")))
                .isEqualTo("round.rule.notDone");
    }

    @Test
    void aUnitThatHasFinishedItselfNoLongerSendsBack() {
        TaskGraph g = county(Stage.VERIFYING, 1, 2, 4);
        assertThat(Workflow.maySendBack(TOWNSHIP_1, g, g.task(1))).isFalse();
        assertThat(code(() -> Workflow.checkSendBack(TOWNSHIP_1, g, g.task(1), "重查", t -> "")))
                .isEqualTo("round.rule.ownDone");
    }

    @Test
    void aTaskAnotherUnitAboveHasReliedOnIsNotSentBack() {
        // 松林镇 is done and school A confirmed after it; school B may not pull the township back from under A.
        TaskGraph g = county(Stage.VERIFYING, 1, 2, 3, 4, 6);
        assertThat(Workflow.maySendBack(REVIEWER_B, g, g.task(4))).isFalse();
        try {
            Workflow.checkSendBack(REVIEWER_B, g, g.task(4), "学生名单不符", t -> "学校" + t.unit());
        } catch (RuleViolationException e) {
            assertThat(e.messageKey()).isEqualTo("round.rule.reliedOn");
            assertThat(e.args()).containsExactly("学校A");
            return;
        }
        throw new AssertionError("B sent back a township that A relied on");
    }

    @Test
    void eachRoleSeesTheTasksItActsOnOrWaitsFor() {
        TaskGraph g = county(Stage.VERIFYING);
        // county-wide roles: every task
        for (long id = 1; id <= 9; id++) {
            assertThat(Workflow.sees(CENTER, g, g.task(id))).isTrue();
            assertThat(Workflow.sees(LEADER, g, g.task(id))).isTrue();
            assertThat(Workflow.sees(OTHER_CENTER, g, g.task(id))).isFalse();
        }
        // a village: its own survey only
        assertThat(Workflow.sees(VILLAGE_11, g, g.task(1))).isTrue();
        assertThat(Workflow.sees(VILLAGE_11, g, g.task(2))).isFalse();
        assertThat(Workflow.sees(VILLAGE_11, g, g.task(4))).isFalse();
        // a township: its own and its villages', never a school's or the center's
        assertThat(Workflow.sees(TOWNSHIP_1, g, g.task(1))).isTrue();
        assertThat(Workflow.sees(TOWNSHIP_1, g, g.task(4))).isTrue();
        assertThat(Workflow.sees(TOWNSHIP_1, g, g.task(3))).isFalse();
        assertThat(Workflow.sees(TOWNSHIP_1, g, g.task(6))).isFalse();
        assertThat(Workflow.sees(TOWNSHIP_1, g, g.task(9))).isFalse();
        // a school: its own task and the townships it waits for
        assertThat(Workflow.sees(REVIEWER_B, g, g.task(7))).isTrue();
        assertThat(Workflow.sees(REVIEWER_B, g, g.task(4))).isTrue();
        assertThat(Workflow.sees(REVIEWER_B, g, g.task(5))).isFalse();
        assertThat(Workflow.sees(REVIEWER_B, g, g.task(6))).isFalse();
        assertThat(Workflow.sees(REVIEWER_B, g, g.task(1))).isFalse();
    }

    @Test
    void theRolesOfTheSteps() {
        assertThat(Workflow.roleFor(Step.SURVEY)).isEqualTo(Role.VILLAGE);
        assertThat(Workflow.roleFor(Step.TOWNSHIP)).isEqualTo(Role.TOWNSHIP);
        assertThat(Workflow.roleFor(Step.SCHOOL)).isEqualTo(Role.SCHOOL_REVIEWER);
        assertThat(Workflow.roleFor(Step.CENTER)).isEqualTo(Role.CENTER);
    }
}
