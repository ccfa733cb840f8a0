package org.fuzhi.aid.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.registry.StudentNotes;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The student's aid in the latest term that has any for them: items, amount, and what was paid. */
@Component
class AidStudentNotes implements StudentNotes {

    private final JdbcClient jdbc;
    private final MessageSource messages;

    AidStudentNotes(JdbcClient jdbc, MessageSource messages) {
        this.jdbc = jdbc;
        this.messages = messages;
    }

    @Override
    public List<Note> notes(CurrentUser user, long studentId, Locale locale) {
        List<Note> out = new ArrayList<>();
        Long term = jdbc.sql("SELECT MAX(term_id) FROM aid_entitlement WHERE student_id = :s").param("s", studentId)
                .query(Long.class).optional().orElse(null);
        if (term == null) {
            return out;
        }
        List<String> items = new ArrayList<>();
        // Money paid out and fees waived are told apart: a waiver's value never reaches an account.
        BigDecimal[] total = {BigDecimal.ZERO, BigDecimal.ZERO};
        jdbc.sql("""
                SELECT i.name, e.amount, e.kind FROM aid_entitlement e JOIN aid_item i ON i.id = e.item_id
                WHERE e.student_id = :s AND e.term_id = :t ORDER BY i.sort_order""").param("s", studentId)
                .param("t", term).query(rs -> {
                    items.add(rs.getString(1));
                    int k = "CASH".equals(rs.getString(3)) ? 0 : 1;
                    total[k] = total[k].add(rs.getBigDecimal(2));
                });
        BigDecimal paid = jdbc.sql("""
                SELECT COALESCE(SUM(p.amount), 0) FROM aid_payment p JOIN aid_entitlement e ON e.id = p.entitlement_id
                WHERE e.student_id = :s AND e.term_id = :t AND p.status = 'PAID'""").param("s", studentId)
                .param("t", term).query(BigDecimal.class).single();
        var t = jdbc.sql("SELECT school_year, term FROM aid_term WHERE id = :t").param("t", term)
                .query((rs, n) -> messages.getMessage("round.yearTerm", new Object[] {rs.getInt(1), rs.getInt(1) + 1,
                        messages.getMessage("enum.Term." + rs.getString(2), null, locale)}, locale)).single();
        out.add(new Note(30, messages.getMessage("student.note.aid", null, locale),
                messages.getMessage("student.note.aidTerm", new Object[] {t,
                        String.join(messages.getMessage("list.separator", null, locale), items),
                        total[0].toPlainString(), paid.toPlainString()}, locale)
                        + (total[1].signum() > 0 ? messages.getMessage("student.note.aidWaived",
                        new Object[] {total[1].toPlainString()}, locale) : ""),
                "/aid/terms/" + term, false));
        return out;
    }
}
