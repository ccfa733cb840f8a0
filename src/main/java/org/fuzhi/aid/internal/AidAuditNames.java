package org.fuzhi.aid.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.fuzhi.platform.AuditTargetNames;
import org.fuzhi.region.Directory;
import org.fuzhi.region.SchoolView;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Terms, batches (school and term), funds and items of the aid module by name. */
@Component
class AidAuditNames implements AuditTargetNames {

    private final JdbcClient jdbc;
    private final Directory directory;
    private final MessageSource messages;

    AidAuditNames(JdbcClient jdbc, Directory directory, MessageSource messages) {
        this.jdbc = jdbc;
        this.directory = directory;
        this.messages = messages;
    }

    /** "2025—2026学年春季学期", not the code 2025-SPRING. */
    private String termLabel(int year, String term, Locale locale) {
        return messages.getMessage("round.yearTerm", new Object[] {year, year + 1,
                messages.getMessage("enum.Term." + term, null, term, locale)}, locale);
    }

    @Override
    public Set<String> targetTypes() {
        return Set.of("aidTerm", "aidBatch", "aidFund", "aidItem");
    }

    @Override
    public Map<String, String> names(String targetType, Collection<String> ids, Locale locale) {
        Map<String, String> out = new HashMap<>();
        List<String> codes = ids.stream().filter(Objects::nonNull).toList();
        List<Long> numbers = AuditTargetNames.numeric(ids);
        switch (targetType) {
            case "aidTerm" -> {
                if (!numbers.isEmpty()) {
                    jdbc.sql("SELECT id, school_year, term FROM aid_term WHERE id IN (:ids)").param("ids", numbers)
                            .query(rs -> {
                                out.put(String.valueOf(rs.getLong(1)), termLabel(rs.getInt(2), rs.getString(3), locale));
                            });
                }
            }
            case "aidBatch" -> {
                if (!numbers.isEmpty()) {
                    Map<String, String> schools = new HashMap<>();
                    jdbc.sql("""
                            SELECT b.id, b.school_code, t.school_year, t.term FROM aid_batch b
                            JOIN aid_term t ON t.id = b.term_id WHERE b.id IN (:ids)""").param("ids", numbers).query(rs -> {
                        String school = schools.computeIfAbsent(rs.getString(2),
                                c -> directory.school(c).map(SchoolView::name).orElse(c));
                        out.put(String.valueOf(rs.getLong(1)), school + " · "
                                + termLabel(rs.getInt(3), rs.getString(4), locale));
                    });
                }
            }
            case "aidFund" -> {
                if (!codes.isEmpty()) {
                    jdbc.sql("SELECT code, name FROM aid_fund WHERE code IN (:c)").param("c", codes).query(rs -> {
                        out.put(rs.getString(1), rs.getString(2));
                    });
                }
            }
            case "aidItem" -> {
                if (!codes.isEmpty()) {
                    jdbc.sql("SELECT code, name FROM aid_item WHERE is_current AND code IN (:c)").param("c", codes)
                            .query(rs -> {
                                out.put(rs.getString(1), rs.getString(2));
                            });
                }
            }
            default -> {
            }
        }
        return out;
    }
}
