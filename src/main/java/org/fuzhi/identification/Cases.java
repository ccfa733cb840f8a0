package org.fuzhi.identification;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.fuzhi.common.Page;
import org.fuzhi.platform.CurrentUser;

/**
 * 控辍保学 — dropout-prevention cases. An identification round opens a case (疑似辍学) for every school-age roster
 * child it cannot find in school; the village, township or aid center logs each persuasion visit (劝返), confirms a
 * dropout (辍学) and closes the case when the child is back in school — as the registry shows — or legally exempt.
 */
public interface Cases {

    enum Status { SUSPECTED, DROPOUT, CLOSED }

    enum CloseReason { BACK_IN_SCHOOL, FOUND_IN_SCHOOL, EXEMPT }

    enum VisitOutcome { PROMISED_RETURN, REFUSED, NOT_MET, RETURNED, OTHER }

    /** 适龄儿童台账: every school-age (6–15) roster child of the scope, in school or not. */
    List<SchoolAgeChild> schoolAgeRegister(CurrentUser user);

    Page<CaseView> cases(CurrentUser user, Status status, int page, int size);

    CaseDetail detail(CurrentUser user, long caseId);

    CaseView confirmDropout(CurrentUser user, long caseId, int expectedVersion);

    CaseView logVisit(CurrentUser user, long caseId, int expectedVersion, NewVisit visit);

    CaseView close(CurrentUser user, long caseId, int expectedVersion, CloseReason reason, String note);

    record SchoolAgeChild(long rosterMemberId, String name, String householdNo, String villageCode,
                          String villageName, int age, String status, Long caseId) {
    }

    record CaseView(long id, String name, String villageCode, String villageName, LocalDate birthDate, int age,
                    Status status, String foundReason, String closeReason, String closeNote, int visits,
                    Instant openedAt, Instant closedAt, int version) {
    }

    record VisitView(LocalDate visitedOn, String visitors, String notes, VisitOutcome outcome, String recordedBy,
                     Instant recordedAt) {
    }

    record CaseDetail(CaseView caseView, List<VisitView> visits) {
    }

    record NewVisit(LocalDate visitedOn, String visitors, String notes, VisitOutcome outcome) {
    }
}
