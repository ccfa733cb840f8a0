package org.fuzhi.identification;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.fuzhi.common.Page;
import org.fuzhi.platform.CurrentUser;

/**
 * Public notices (公示) of identification rounds: what anyone may read without signing in while a notice is up,
 * and the issuing body and objection contact each aid center sets for its notices.
 */
public interface Notices {

    /** Rounds whose public notice is up today (anonymous). */
    List<NoticeView> current();

    /**
     * The masked public list of a round whose notice is up today; empty when it is not (taken down or never up).
     *
     * @param village a village code to print one village's list for its notice board, or null for all
     */
    Optional<NoticePage> notice(long roundId, String village, int page, int size);

    /** The contact the user's center prints on its notices: its own, or the default when none was saved. */
    Contact contact(CurrentUser user);

    /** Saves the issuing body, hotline and address of the user's center (CENTER only; audited). */
    Contact saveContact(CurrentUser user, ContactEdit contact);

    record ContactEdit(String issuer, String phone, String address) {
    }

    /** @param saved false while the center has not set its own contact and the defaults are shown */
    record Contact(String issuer, String phone, String address, boolean saved) {
    }

    /**
     * @param workingDays the notice period in working days (weekends and public holidays not counted)
     * @param contact the issuing body and where objections go
     */
    record NoticeView(long roundId, String name, String scopeName, int schoolYear, String term,
                      LocalDate noticeStart, LocalDate noticeEnd, int workingDays, Contact contact) {
    }

    /** One public line: masked name, school and grade only — no ID, address, birth date or hardship details. */
    record NoticeLine(String name, String school, String stage, Integer grade) {
    }

    /** A village that has children on the notice, named with its township (village names repeat). */
    record VillageOption(String code, String township, String name) {
    }

    record NoticePage(NoticeView notice, Page<NoticeLine> lines, List<VillageOption> villages, String village,
                      String villageName) {
    }
}
