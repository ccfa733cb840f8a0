package org.fuzhi.region.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.fuzhi.common.SchoolType;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.ImportContext;
import org.fuzhi.platform.ImportKind;
import org.fuzhi.platform.ImportRow;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.Scope;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Import of schools and teaching points; re-importing a 学校标识码 updates that school. */
@Component
class SchoolImport implements ImportKind {

    private final JdbcClient jdbc;

    SchoolImport(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String name() {
        return "schools";
    }

    /** A new village school in the first village of the user's area. */
    @Override
    public List<String> exampleRow(CurrentUser user) {
        if (user == null || user.scope().type() != Scope.Type.REGION) {
            return exampleRow();
        }
        return jdbc.sql("""
                SELECT code FROM region WHERE level = 'VILLAGE' AND code BETWEEN :low AND :high ORDER BY code LIMIT 1""")
                .param("low", user.scope().lowestRegion()).param("high", user.scope().highestRegion())
                .query(String.class).optional()
                .map(v -> List.of(freeExampleCode(), "示例村小学", "小学", v, "", "否", "12", "否", ""))
                .orElseGet(this::exampleRow);
    }

    /** A school code no school uses, from the top of a range real codes do not reach. */
    private String freeExampleCode() {
        Set<String> used = new HashSet<>(jdbc.sql("SELECT code FROM school WHERE code LIKE '21429999%'")
                .query(String.class).list());
        for (int n = 99; n >= 0; n--) {
            String code = "21429999" + String.format("%02d", n);
            if (!used.contains(code)) {
                return code;
            }
        }
        return "2142990001";
    }

    @Override
    public boolean mayImport(Role role) {
        return role == Role.CENTER;
    }

    @Override
    public List<Column> columns() {
        return List.of(Column.req("code"), Column.req("name"), Column.req("type"), Column.opt("regionCode"),
                Column.opt("parentSchoolCode"), Column.opt("boarding"), Column.opt("teacherCount"),
                Column.opt("outOfCounty"), Column.opt("location"));
    }

    @Override
    public List<String> exampleRow() {
        return List.of("2142990001", "示例村小学", "小学", "421182101201", "", "否", "12", "否", "");
    }

    @Override
    public void importChunk(List<ImportRow> rows, ImportContext ctx) {
        Scope scope = ctx.user().scope();
        boolean center = ctx.user().role() == Role.CENTER;
        Map<String, Integer> seen = ctx.state("seen", HashMap::new);
        for (ImportRow row : rows) {
            if (!center) {
                ctx.reject(row, "code", "import.rule.roleMayNot");
                continue;
            }
            String code = row.get("code");
            var type = ctx.enumValue(SchoolType.class, row.get("type"));
            if (!code.matches("[0-9]{10}")) {
                ctx.reject(row, "code", "import.rule.schoolCode");
            } else {
                Integer first = seen.putIfAbsent(code, row.rowNo());
                if (first != null) {
                    ctx.reject(row, "code", "import.rule.duplicateInFileAt", first);
                }
                if (type.isPresent() && !code.startsWith(type.get().code())) {
                    ctx.reject(row, "code", "import.rule.schoolCodeType", type.get().code());
                }
            }
            if (!row.has("name")) {
                ctx.reject(row, "name", "import.rule.required");
            } else if (row.get("name").length() > 200) {
                ctx.reject(row, "name", "import.rule.tooLong", 200);
            }
            if (type.isEmpty()) {
                ctx.reject(row, "type", row.has("type") ? "import.rule.schoolType" : "import.rule.required");
            }
            Boolean outOfCounty = ImportContext.bool(row.get("outOfCounty"));
            if (outOfCounty == null) {
                ctx.reject(row, "outOfCounty", "import.rule.yesNo");
            }
            Boolean boarding = ImportContext.bool(row.get("boarding"));
            if (boarding == null) {
                ctx.reject(row, "boarding", "import.rule.yesNo");
            }
            String region = row.get("regionCode");
            if (region.isEmpty()) {
                if (!Boolean.TRUE.equals(outOfCounty)) {
                    ctx.reject(row, "regionCode", "import.rule.required");
                }
            } else if (!regionExists(region)) {
                ctx.reject(row, "regionCode", "import.rule.regionMissing", region);
            } else if (!scope.containsRegion(region)) {
                ctx.reject(row, "regionCode", "import.rule.outOfScope");
            }
            String parent = row.get("parentSchoolCode");
            if (type.isPresent() && type.get() == SchoolType.TEACHING_POINT && parent.isEmpty()) {
                ctx.reject(row, "parentSchoolCode", "import.rule.teachingPointParent");
            } else if (!parent.isEmpty() && !schoolExists(parent)) {
                ctx.reject(row, "parentSchoolCode", "import.rule.schoolMissing", parent);
            }
            int teachers = 0;
            if (row.has("teacherCount")) {
                try {
                    teachers = Integer.parseInt(row.get("teacherCount"));
                    if (teachers < 0 || teachers > 100000) {
                        ctx.reject(row, "teacherCount", "import.rule.range", 0, 100000);
                    }
                } catch (NumberFormatException e) {
                    ctx.reject(row, "teacherCount", "import.rule.integer");
                }
            }
            if (row.get("location").length() > 200) {
                ctx.reject(row, "location", "import.rule.tooLong", 200);
            }
            // An existing school is changed only by a center whose area holds it: another county's school (or one
            // outside every county, which several counties share) is not renamed, moved or detached from here.
            if (code.matches("[0-9]{10}")) {
                var existing = jdbc.sql("SELECT region_code FROM school WHERE code = :c").param("c", code)
                        .query((rs, n) -> Optional.ofNullable(rs.getString(1))).optional();
                if (existing.isPresent() && !existing.get().map(scope::containsRegion).orElse(false)) {
                    ctx.reject(row, "code", "import.rule.schoolOutOfScope");
                }
            }
            if (ctx.isRejected(row)) {
                continue;
            }
            Map<String, Object> p = new HashMap<>();
            p.put("code", code);
            p.put("name", row.get("name"));
            p.put("type", type.get().name());
            p.put("region", region.isEmpty() ? null : region);
            p.put("parent", parent.isEmpty() ? null : parent);
            p.put("boarding", boarding);
            p.put("teachers", teachers);
            p.put("ooc", outOfCounty);
            p.put("loc", row.has("location") ? row.get("location") : null);
            int updated = jdbc.sql("""
                    UPDATE school SET name = :name, school_type = :type, region_code = :region,
                           parent_school_code = :parent, boarding = :boarding, teacher_count = :teachers,
                           out_of_county = :ooc, location = :loc, version = version + 1
                    WHERE code = :code""").params(p).update();
            if (updated == 0) {
                jdbc.sql("""
                        INSERT INTO school (code, name, school_type, region_code, parent_school_code, boarding,
                                            teacher_count, out_of_county, location)
                        VALUES (:code, :name, :type, :region, :parent, :boarding, :teachers, :ooc, :loc)""")
                        .params(p).update();
            }
        }
    }

    private boolean regionExists(String code) {
        return jdbc.sql("SELECT COUNT(*) FROM region WHERE code = :c").param("c", code).query(Long.class).single() > 0;
    }

    private boolean schoolExists(String code) {
        return jdbc.sql("SELECT COUNT(*) FROM school WHERE code = :c").param("c", code).query(Long.class).single() > 0;
    }
}
