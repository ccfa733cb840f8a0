package org.fuzhi.aid.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.fuzhi.aid.PayeeAccounts;
import org.fuzhi.common.BankCard;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.fuzhi.registry.Registry;
import org.fuzhi.registry.StudentView;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Payee accounts in {@code aid_account}, sealed with the platform's field crypto. */
@Service
@Transactional(readOnly = true)
class PayeeAccountService implements PayeeAccounts {

    private final JdbcClient jdbc;
    private final Registry registry;
    private final FieldCrypto crypto;
    private final AuditLog audit;

    PayeeAccountService(JdbcClient jdbc, Registry registry, FieldCrypto crypto, AuditLog audit) {
        this.jdbc = jdbc;
        this.registry = registry;
        this.crypto = crypto;
        this.audit = audit;
    }

    private StudentView student(CurrentUser user, long studentId) {
        return registry.student(user.childDataScope(), studentId)
                .orElseThrow(() -> new NotFoundException("student"));
    }

    @Override
    @Transactional
    public AccountView set(CurrentUser user, long studentId, AccountEdit e) {
        user.require(user.role() == Role.SCHOOL_OPERATOR || user.role() == Role.CENTER);
        StudentView s = student(user, studentId);
        String number = e == null ? null : BankCard.normalise(e.number());
        String problem = problem(s, e, number, Map.of());
        if (problem != null) {
            throw new RuleViolationException(problem);
        }
        write(user, s.id(), e, number);
        audit.record("AID_ACCOUNT_SET", "student", String.valueOf(studentId), Map.of("relation", e.relation().name(),
                "type", e.type().name(), "account", BankCard.mask(number)));
        return of(user, studentId).orElseThrow();
    }

    /**
     * The rule an account breaks for this student (a message key), or null: every field given, a number of the right
     * length whose check digit holds on a bank card, the holder the child or a member of the child's household, and
     * the card not another child's under another holder (in the database or earlier in the same file: {@code
     * pending}, card index → holder).
     */
    String problem(StudentView s, AccountEdit e, String number, Map<String, String> pending) {
        if (e == null || e.relation() == null || e.type() == null || e.holderName() == null || e.holderName().isBlank()
                || e.bank() == null || e.bank().isBlank()) {
            return "aid.rule.accountFields";
        }
        if (number == null) {
            return "aid.rule.accountNumber";
        }
        if (e.type() == Type.BANK_CARD && (number.length() < 16 || !BankCard.luhnValid(number))) {
            return "aid.rule.accountLuhn";
        }
        String holder = e.holderName().strip();
        if (e.relation() == Relation.SELF && !holder.equals(s.name())) {
            return "aid.rule.accountNotSelf";
        }
        if (e.relation() == Relation.GUARDIAN) {
            if (s.householdId() == null || s.householdRegionCode() == null) {
                return "aid.rule.accountNoHousehold";
            }
            // The household as the registry holds it, read in the household's own area: the clerk never sees it.
            boolean member = registry.household(Scope.region(s.householdRegionCode()), s.householdId())
                    .map(h -> h.members().stream().anyMatch(m -> holder.equals(m.name()) && !holder.equals(s.name())))
                    .orElse(false);
            if (!member) {
                return "aid.rule.accountNotGuardian";
            }
        }
        // The same card for another child is a sibling's (same holder) or a mistake (a 班主任's, a classmate's).
        String index = crypto.index(number);
        String earlier = pending.get(index);
        if (earlier != null && !earlier.equals(holder)) {
            return "aid.rule.accountElsewhere";
        }
        List<String> others = jdbc.sql("SELECT holder_name FROM aid_account WHERE card_index = :i AND student_id <> :p")
                .param("i", index).param("p", s.id()).query(String.class).list();
        return others.stream().anyMatch(h -> !h.equals(holder)) ? "aid.rule.accountElsewhere" : null;
    }

    /** Stores the account of a student (keyed by the student: one enrolment per person, kept through a transfer). */
    void write(CurrentUser user, long person, AccountEdit e, String number) {
        String holder = e.holderName().strip();
        String index = crypto.index(number);
        String sealed = crypto.seal(FieldCrypto.Kind.BANK_ACCOUNT, number);
        Timestamp now = Timestamp.from(Instant.now());
        int updated = jdbc.sql("""
                UPDATE aid_account SET holder_name = :h, holder_relation = :r, account_type = :t, bank = :b,
                    card_index = :i, card_sealed = :s, card_masked = :m, updated_by = :by, updated_at = :at
                WHERE student_id = :p""").param("h", holder).param("r", e.relation().name()).param("t", e.type().name())
                .param("b", e.bank().strip()).param("i", index).param("s", sealed)
                .param("m", BankCard.mask(number)).param("by", user.username()).param("at", now).param("p", person).update();
        if (updated == 0) {
            jdbc.sql("""
                    INSERT INTO aid_account (student_id, holder_name, holder_relation, account_type, bank, card_index,
                        card_sealed, card_masked, updated_by, updated_at)
                    VALUES (:p, :h, :r, :t, :b, :i, :s, :m, :by, :at)""").param("p", person).param("h", holder)
                    .param("r", e.relation().name()).param("t", e.type().name()).param("b", e.bank().strip())
                    .param("i", index).param("s", sealed)
                    .param("m", BankCard.mask(number)).param("by", user.username()).param("at", now).update();
        }
    }

    @Override
    public Optional<AccountView> of(CurrentUser user, long studentId) {
        CatalogStore.requireReader(user);
        StudentView s = student(user, studentId);
        return jdbc.sql("SELECT * FROM aid_account WHERE student_id = :p").param("p", s.id())
                .query((rs, n) -> new AccountView(studentId, rs.getString("holder_name"),
                        Relation.valueOf(rs.getString("holder_relation")), Type.valueOf(rs.getString("account_type")),
                        rs.getString("bank"), rs.getString("card_masked"), rs.getString("updated_by"),
                        rs.getTimestamp("updated_at").toInstant())).optional();
    }
}
