package org.fuzhi.platform.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.fuzhi.platform.AuditTargetNames;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Accounts by their holder's name with the sign-in name; imports by their file name. */
@Component
class PlatformAuditNames implements AuditTargetNames {

    private final JdbcClient jdbc;

    PlatformAuditNames(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Set<String> targetTypes() {
        return Set.of("account", "import");
    }

    @Override
    public Map<String, String> names(String targetType, Collection<String> ids, Locale locale) {
        Map<String, String> out = new HashMap<>();
        List<String> keys = ids.stream().filter(Objects::nonNull).toList();
        if (keys.isEmpty()) {
            return out;
        }
        if (targetType.equals("account")) {
            jdbc.sql("SELECT username, display_name FROM app_user WHERE username IN (:k)").param("k", keys)
                    .query(rs -> {
                        out.put(rs.getString(1), rs.getString(2) + "（" + rs.getString(1) + "）");
                    });
        } else {
            jdbc.sql("SELECT id, original_filename FROM import_job WHERE id IN (:k)").param("k", keys).query(rs -> {
                out.put(rs.getString(1), rs.getString(2));
            });
        }
        return out;
    }
}
