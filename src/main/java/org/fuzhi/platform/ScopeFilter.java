package org.fuzhi.platform;

import java.util.Map;

/**
 * The one place a {@link Scope} becomes SQL. Every repository that reads scoped data appends
 * {@link #sql()} to its WHERE clause and binds {@link #params()}, so UI, API and exports share it.
 *
 * @param sql a boolean SQL expression using the named parameters {@code :scopePrefix} / {@code :scopeSchool}
 */
public record ScopeFilter(String sql, Map<String, Object> params) {

    /**
     * @param scope         the user's scope
     * @param schoolColumn  the column holding the school code, or null when a school user may see nothing here
     * @param regionColumns the columns holding region codes; a row is inside a region scope when any of them is
     */
    public static ScopeFilter of(Scope scope, String schoolColumn, String... regionColumns) {
        return switch (scope.type()) {
            case NONE -> new ScopeFilter("1=0", Map.of());
            case SCHOOL -> schoolColumn == null
                    ? new ScopeFilter("1=0", Map.of())
                    : new ScopeFilter(schoolColumn + " = :scopeSchool", Map.of("scopeSchool", scope.code()));
            case REGION -> {
                if (regionColumns.length == 0) {
                    yield new ScopeFilter("1=0", Map.of());
                }
                StringBuilder sb = new StringBuilder("(");
                for (int i = 0; i < regionColumns.length; i++) {
                    if (i > 0) {
                        sb.append(" OR ");
                    }
                    sb.append(regionColumns[i]).append(" LIKE :scopePrefix");
                }
                yield new ScopeFilter(sb.append(')').toString(), Map.of("scopePrefix", scope.regionPrefix() + "%"));
            }
        };
    }
}
