package org.fuzhi.identification.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.registry.StudentNotes;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The student's entry in the latest round that holds them, and an open dropout case of the child. */
@Component
class IdentificationStudentNotes implements StudentNotes {

    private final JdbcClient jdbc;
    private final MessageSource messages;

    IdentificationStudentNotes(JdbcClient jdbc, MessageSource messages) {
        this.jdbc = jdbc;
        this.messages = messages;
    }

    @Override
    public List<Note> notes(CurrentUser user, long studentId, Locale locale) {
        List<Note> out = new ArrayList<>();
        jdbc.sql("""
                SELECT r.id, r.name, r.stage, e.source, e.level, e.score FROM ident_entry e
                JOIN ident_round r ON r.id = e.round_id WHERE e.student_id = :s ORDER BY r.id DESC LIMIT 1""")
                .param("s", studentId).query(rs -> {
                    String source = messages.getMessage("enum.Source." + rs.getString(4), null, locale);
                    String level = rs.getString(5) == null ? messages.getMessage("student.note.noLevel", null, locale)
                            : rs.getString(5);
                    String stage = messages.getMessage("enum.RoundStage." + rs.getString(3), null, locale);
                    out.add(new Note(10, messages.getMessage("student.note.identification", null, locale),
                            messages.getMessage("student.note.entry", new Object[] {rs.getString(2), stage, source,
                                    level, rs.getBigDecimal(6).doubleValue()}, locale),
                            "/identification/rounds/" + rs.getLong(1), false));
                });
        if (out.isEmpty()) {
            out.add(new Note(10, messages.getMessage("student.note.identification", null, locale),
                    messages.getMessage("student.note.notInRound", null, locale), null, false));
        }
        jdbc.sql("""
                SELECT c.id, c.status FROM dropout_case c JOIN enrolment e ON e.person_id = c.person_id
                WHERE e.id = :s ORDER BY c.id DESC LIMIT 1""").param("s", studentId).query(rs -> {
                    String status = rs.getString(2);
                    // The case page is for those who follow cases up; a school sees the status only.
                    boolean follows = switch (user.role()) {
                        case CENTER, TOWNSHIP, VILLAGE, LEADER, EVALUATOR -> true;
                        default -> false;
                    };
                    out.add(new Note(20, messages.getMessage("student.note.dropout", null, locale),
                            messages.getMessage("enum.CaseStatus." + status, null, locale),
                            follows ? "/identification/cases/" + rs.getLong(1) : null, !"CLOSED".equals(status)));
                });
        return out;
    }
}
