package org.fuzhi.region.internal;

import java.io.OutputStream;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.fuzhi.common.Page;
import org.fuzhi.common.RegionCode;
import org.fuzhi.common.SchoolType;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.ScopeFilter;
import org.fuzhi.platform.Xlsx;
import org.fuzhi.region.Directory;
import org.fuzhi.region.RegionView;
import org.fuzhi.region.SchoolView;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
@Transactional(readOnly = true)
class JdbcDirectory implements Directory {

    private static final String SCHOOL_SELECT = """
            SELECT s.*, r.name AS region_name, COALESCE(r.key_poor_village, FALSE) AS kpv
            FROM school s LEFT JOIN region r ON r.code = s.region_code""";

    private final JdbcClient jdbc;
    private final MessageSource messages;
    private final AuditLog audit;

    JdbcDirectory(JdbcClient jdbc, MessageSource messages,
                  AuditLog audit) {
        this.jdbc = jdbc;
        this.messages = messages;
        this.audit = audit;
    }

    private static RegionView region(ResultSet rs) throws SQLException {
        return new RegionView(rs.getString("code"), rs.getString("name"), rs.getString("level"),
                rs.getString("parent_code"), rs.getBoolean("key_poor_village"), rs.getString("urban_rural_class"),
                rs.getLong("child_count"));
    }

    static SchoolView school(ResultSet rs) throws SQLException {
        return new SchoolView(rs.getString("code"), rs.getString("name"), SchoolType.valueOf(rs.getString("school_type")),
                rs.getString("region_code"), rs.getString("region_name"), rs.getString("parent_school_code"),
                rs.getBoolean("boarding"), rs.getInt("teacher_count"), rs.getBoolean("out_of_county"),
                rs.getBoolean("kpv"), rs.getString("location"), rs.getInt("version"));
    }

    private static final String REGION_SELECT =
            "SELECT r.*, (SELECT COUNT(*) FROM region c WHERE c.parent_code = r.code) AS child_count FROM region r";

    @Override
    public Optional<RegionView> region(String code) {
        return jdbc.sql(REGION_SELECT + " WHERE r.code = :c").param("c", code).query((rs, n) -> region(rs)).optional();
    }

    @Override
    public List<RegionView> children(String code) {
        return jdbc.sql(REGION_SELECT + " WHERE r.parent_code = :c ORDER BY r.code").param("c", code)
                .query((rs, n) -> region(rs)).list();
    }

    @Override
    public List<RegionView> roots() {
        return jdbc.sql(REGION_SELECT + " WHERE r.parent_code IS NULL ORDER BY r.code").query((rs, n) -> region(rs))
                .list();
    }

    @Override
    public List<RegionView> ancestry(String code) {
        List<RegionView> chain = new ArrayList<>();
        String c = code;
        while (c != null && RegionCode.isValid(c)) {
            var r = region(c);
            if (r.isEmpty()) {
                break;
            }
            chain.add(0, r.get());
            c = r.get().parentCode();
        }
        return chain;
    }

    @Override
    public Optional<SchoolView> school(String code) {
        return jdbc.sql(SCHOOL_SELECT + " WHERE s.code = :c").param("c", code).query((rs, n) -> school(rs)).optional();
    }

    @Override
    public Map<String, String> names(Collection<String> codes) {
        Map<String, String> out = new HashMap<>();
        List<String> all = codes.stream().filter(Objects::nonNull).map(String::strip).distinct().toList();
        for (int i = 0; i < all.size(); i += 1000) {
            List<String> chunk = all.subList(i, Math.min(all.size(), i + 1000));
            jdbc.sql("SELECT code, name FROM school WHERE code IN (:c) UNION ALL SELECT code, name FROM region "
                    + "WHERE code IN (:c)").param("c", chunk).query(rs -> {
                        out.put(rs.getString(1).strip(), rs.getString(2));
                    });
        }
        return out;
    }

    @Override
    public Optional<String> firstVillage(Scope scope) {
        return switch (scope.type()) {
            case SCHOOL -> school(scope.code()).map(SchoolView::regionCode)
                    .filter(c -> new RegionCode(c).level() == RegionCode.Level.VILLAGE);
            case REGION -> jdbc.sql("""
                    SELECT code FROM region WHERE level = 'VILLAGE' AND code BETWEEN :low AND :high
                    ORDER BY code LIMIT 1""").param("low", scope.lowestRegion()).param("high", scope.highestRegion())
                    .query(String.class).optional();
            case NONE -> Optional.empty();
        };
    }

    @Override
    public Page<SchoolView> schools(Scope scope, SchoolQuery q, int page, int size) {
        // Out-of-county universities are light reference records every region user may look up.
        ScopeFilter f = ScopeFilter.of(scope, "s.code", "s.region_code");
        StringBuilder where = new StringBuilder(" WHERE (" + f.sql()
                + (scope.type() == Scope.Type.REGION ? " OR s.out_of_county" : "") + ")");
        Map<String, Object> p = new HashMap<>(f.params());
        if (q.text() != null && !q.text().isBlank()) {
            where.append(" AND (s.name LIKE :t OR s.code LIKE :t)");
            p.put("t", "%" + q.text().trim() + "%");
        }
        if (q.type() != null && !q.type().isBlank()) {
            where.append(" AND s.school_type = :type");
            p.put("type", q.type());
        }
        if (q.regionCode() != null && RegionCode.isValid(q.regionCode())) {
            where.append(" AND s.region_code LIKE :rp");
            p.put("rp", new RegionCode(q.regionCode()).prefix() + "%");
        }
        long total = jdbc.sql("SELECT COUNT(*) FROM school s" + where).params(p).query(Long.class).single();
        // A page past the end (the list shrank since the link was made) shows the last page.
        int shown = Page.clamp(page, total, size);
        p.put("lim", size);
        p.put("off", (long) shown * size);
        var items = jdbc.sql(SCHOOL_SELECT + where + " ORDER BY " + schoolOrder(q.sort()) + " LIMIT :lim OFFSET :off")
                .params(p).query((rs, n) -> school(rs)).list();
        return new Page<>(items, total, shown, size);
    }

    /** Only these columns sort (never a user's text in SQL); the code last so pages never overlap. */
    private static String schoolOrder(String sort) {
        boolean desc = sort != null && sort.startsWith("-");
        String column = sort == null ? null : switch (desc ? sort.substring(1) : sort) {
            case "code" -> "s.code";
            case "name" -> "s.name";
            case "type" -> "s.school_type";
            case "region" -> "s.region_code";
            case "teachers" -> "s.teacher_count";
            default -> null;
        };
        if (column == null) {
            return "s.out_of_county, s.code";
        }
        String dir = desc ? " DESC" : "";
        return column + dir + (column.equals("s.code") ? "" : ", s.code" + dir);
    }

    @Override
    @Transactional
    public long exportSchools(CurrentUser user, SchoolQuery q, OutputStream out,
                              Locale locale) {
        List<String> header = Stream.of("code", "name", "type", "region", "teachers", "keyVillage")
                .map(c -> messages.getMessage("school." + c, null, locale)).toList();
        long n = 0;
        try (Xlsx x = new Xlsx(out,
                messages.getMessage("school.list.title", null, locale), header)) {
            int page = 0;
            Page<SchoolView> p;
            do {
                p = schools(user.scope(), q, page++, 500);
                for (SchoolView s : p.items()) {
                    x.row(List.of(s.code(), s.name(), messages.getMessage("enum.SchoolType." + s.type(), null, locale),
                            s.outOfCounty() ? String.valueOf(s.location()) : String.valueOf(s.regionName()),
                            String.valueOf(s.teacherCount()), messages.getMessage(s.keyPoorVillage() ? "filter.yes"
                                    : "filter.no", null, locale)));
                    n++;
                }
                Jobs.progress().done(n);
            } while (p.hasNext());
        }
        audit.record("EXPORT", "schools", null, Map.of("rows", n, "filter", String.valueOf(q)));
        return n;
    }

    @Override
    public List<GroupView> groupsOf(String schoolCode) {
        var groups = jdbc.sql("""
                SELECT g.* FROM school_group g
                WHERE g.lead_school_code = :s OR EXISTS (SELECT 1 FROM school_group_member m
                                                         WHERE m.group_id = g.id AND m.school_code = :s)
                ORDER BY g.kind, g.code""").param("s", schoolCode)
                .query((rs, n) -> new Object[]{rs.getLong("id"), rs.getString("kind"), rs.getString("code"),
                        rs.getString("name"), rs.getString("lead_school_code")}).list();
        List<GroupView> out = new ArrayList<>();
        for (Object[] g : groups) {
            var members = jdbc.sql("SELECT school_code FROM school_group_member WHERE group_id = :g ORDER BY school_code")
                    .param("g", g[0]).query(String.class).list();
            out.add(new GroupView((String) g[1], (String) g[2], (String) g[3], (String) g[4], members));
        }
        return out;
    }

    @Override
    public long keyPoorVillages(Scope scope) {
        ScopeFilter f = ScopeFilter.of(scope, null, "r.code");
        return jdbc.sql("SELECT COUNT(*) FROM region r WHERE r.key_poor_village AND " + f.sql())
                .params(f.params()).query(Long.class).single();
    }

    @Override
    public KeyVillageSchools keyVillageSchools(Scope scope) {
        ScopeFilter f = ScopeFilter.of(scope, "s.code", "s.region_code");
        Map<String, Long> byType = new LinkedHashMap<>();
        long[] totals = {0, 0};
        jdbc.sql("""
                SELECT s.school_type, COUNT(*) AS n, SUM(s.teacher_count) AS t
                FROM school s JOIN region r ON r.code = s.region_code
                WHERE r.key_poor_village AND """ + " " + f.sql() + " GROUP BY s.school_type ORDER BY s.school_type")
                .params(f.params()).query(rs -> {
                    byType.put(rs.getString(1), rs.getLong(2));
                    totals[0] += rs.getLong(2);
                    totals[1] += rs.getLong(3);
                });
        return new KeyVillageSchools(totals[0], byType, totals[1]);
    }

    @Override
    public Map<String, Long> groupCounts(Scope scope) {
        ScopeFilter f = ScopeFilter.of(scope, "s.code", "s.region_code");
        Map<String, Long> out = new LinkedHashMap<>();
        jdbc.sql("""
                SELECT g.kind, COUNT(DISTINCT g.id) FROM school_group g
                JOIN school_group_member m ON m.group_id = g.id JOIN school s ON s.code = m.school_code
                WHERE """ + " " + f.sql() + " GROUP BY g.kind").params(f.params())
                .query(rs -> {
                    out.put(rs.getString(1), rs.getLong(2));
                });
        return out;
    }

    @Override
    @Transactional
    public void saveGroup(String kind, String code, String name, String leadSchoolCode, List<String> memberCodes) {
        jdbc.sql("INSERT INTO school_group (kind, code, name, lead_school_code) VALUES (:k, :c, :n, :l)")
                .param("k", kind).param("c", code).param("n", name).param("l", leadSchoolCode).update();
        long id = jdbc.sql("SELECT id FROM school_group WHERE code = :c").param("c", code).query(Long.class).single();
        for (String m : memberCodes) {
            jdbc.sql("INSERT INTO school_group_member (group_id, school_code) VALUES (:g, :s)")
                    .param("g", id).param("s", m).update();
        }
    }
}
