package org.fuzhi.identification.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.fuzhi.common.Masking;
import org.fuzhi.platform.AuditTargetNames;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Rounds and models by their names, dropout cases by the child's masked name. */
@Component
class IdentificationAuditNames implements AuditTargetNames {

    private final JdbcClient jdbc;

    IdentificationAuditNames(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Set<String> targetTypes() {
        return Set.of("round", "dropout-case", "assessment-model");
    }

    @Override
    public Set<String> childTypes() {
        return Set.of("dropout-case");
    }

    @Override
    public Map<String, String> names(String targetType, Collection<String> ids, Locale locale) {
        Map<String, String> out = new HashMap<>();
        if (targetType.equals("assessment-model")) {
            // Models are recorded by their version string, which is also their name in lists.
            List<String> versions = ids.stream().filter(Objects::nonNull).toList();
            if (!versions.isEmpty()) {
                jdbc.sql("SELECT version, name FROM assessment_model WHERE version IN (:v)").param("v", versions)
                        .query(rs -> {
                            out.put(rs.getString(1), rs.getString(2) + "（" + rs.getString(1) + "）");
                        });
            }
            return out;
        }
        List<Long> numbers = AuditTargetNames.numeric(ids);
        if (numbers.isEmpty()) {
            return out;
        }
        boolean round = targetType.equals("round");
        jdbc.sql(round ? "SELECT id, name FROM ident_round WHERE id IN (:ids)"
                        : "SELECT id, name FROM dropout_case WHERE id IN (:ids)").param("ids", numbers)
                .query(rs -> {
                    out.put(String.valueOf(rs.getLong(1)), round ? rs.getString(2) : Masking.name(rs.getString(2)));
                });
        return out;
    }
}
