package org.fuzhi.platform;

import java.util.Map;

/**
 * The one place a {@link Scope} becomes SQL. Every repository that reads scoped data appends
 * {@link #sql()} to its WHERE clause and binds {@link #params()}, so UI, API and exports share it.
 * A region scope is a range of 12-digit codes ({@code BETWEEN 421182000000 AND 421182999999}), not a
 * {@code LIKE}: a B-tree index serves a range under any collation.
 *
 * @param sql a boolean SQL expression using the named parameters {@code :scopeLow}/{@code :scopeHigh} or
 *            {@code :scopeSchool}
 */
public record ScopeFilter(String sql, Map<String, Object> params) {

    private static final ScopeFilter NOTHING = new ScopeFilter("1=0", Map.of());

    /**
     * @param scope         the user's scope
     * @param schoolColumn  the column holding the school code, or null when a school user may see nothing here
     * @param regionColumns the columns holding region codes; a row is inside a region scope when any of them is
     */
    public static ScopeFilter of(Scope scope, String schoolColumn, String... regionColumns) {
        return switch (scope.type()) {
            case NONE -> NOTHING;
            case SCHOOL -> schoolColumn == null
                    ? NOTHING
                    : new ScopeFilter(schoolColumn + " = :scopeSchool", Map.of("scopeSchool", scope.code()));
            case REGION -> {
                if (regionColumns.length == 0) {
                    yield NOTHING;
                }
                StringBuilder sb = new StringBuilder("(");
                for (int i = 0; i < regionColumns.length; i++) {
                    if (i > 0) {
                        sb.append(" OR ");
                    }
                    sb.append(regionColumns[i]).append(" BETWEEN :scopeLow AND :scopeHigh");
                }
                yield new ScopeFilter(sb.append(')').toString(), range(scope));
            }
        };
    }

    /**
     * Children's records (students, round entries): a school scope sees its school; a region scope sees the children
     * who live in it and — unless the scope is {@link Scope#residenceOnly() by residence} — those taught in its
     * schools.
     *
     * @param schoolColumn       the school code
     * @param schoolRegionColumn the region where the school stands
     * @param residenceColumn    the region where the child's household lives
     */
    public static ScopeFilter children(Scope scope, String schoolColumn, String schoolRegionColumn,
                                       String residenceColumn) {
        return scope.residenceOnly()
                ? of(scope, schoolColumn, residenceColumn)
                : of(scope, schoolColumn, schoolRegionColumn, residenceColumn);
    }

    private static Map<String, Object> range(Scope scope) {
        return Map.of("scopeLow", scope.lowestRegion(), "scopeHigh", scope.highestRegion());
    }
}
