package org.fuzhi.aid;

import java.time.Instant;
import java.util.Optional;
import org.fuzhi.platform.CurrentUser;

/**
 * 收款账户 — where a child's aid is paid: the child's own account or a guardian's in the child's household (audits
 * find money paid to a parent's colleague, a 班主任 or a classmate), a bank card whose check digit holds, or a 社保卡.
 * The number is sealed at rest and shown masked; only the bank file carries it in full.
 */
public interface PayeeAccounts {

    enum Relation { SELF, GUARDIAN }

    enum Type { BANK_CARD, SOCIAL_CARD }

    /** Sets the student's account (the school's clerk for its students, or the center); audited, masked. */
    AccountView set(CurrentUser user, long studentId, AccountEdit edit);

    Optional<AccountView> of(CurrentUser user, long studentId);

    record AccountEdit(String holderName, Relation relation, Type type, String bank, String number) {
    }

    record AccountView(long studentId, String holderName, Relation relation, Type type, String bank,
                       String numberMasked, String updatedBy, Instant updatedAt) {
    }
}
