package org.fuzhi.registry.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.fuzhi.common.Masking;
import org.fuzhi.platform.AuditTargetNames;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Students and households in the audit log, by masked name (the household by its head). */
@Component
class RegistryAuditNames implements AuditTargetNames {

    private final JdbcClient jdbc;

    RegistryAuditNames(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Set<String> targetTypes() {
        return Set.of("student", "household");
    }

    @Override
    public Set<String> childTypes() {
        return targetTypes();
    }

    @Override
    public Map<String, String> names(String targetType, Collection<String> ids, Locale locale) {
        List<Long> numbers = AuditTargetNames.numeric(ids);
        Map<String, String> out = new HashMap<>();
        if (numbers.isEmpty()) {
            return out;
        }
        String sql = targetType.equals("student")
                ? "SELECT e.id, p.name FROM enrolment e JOIN person p ON p.id = e.person_id WHERE e.id IN (:ids)"
                : "SELECT id, head_name FROM household WHERE id IN (:ids)";
        jdbc.sql(sql).param("ids", numbers).query(rs -> {
            out.put(String.valueOf(rs.getLong(1)), Masking.name(rs.getString(2)));
        });
        return out;
    }
}
