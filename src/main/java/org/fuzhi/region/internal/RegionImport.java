package org.fuzhi.region.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fuzhi.common.RegionCode;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.ImportContext;
import org.fuzhi.platform.ImportKind;
import org.fuzhi.platform.ImportRow;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.Scope;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Import of administrative divisions (统计用区划代码). Parents must come first, in the database or the file. */
@Component
class RegionImport implements ImportKind {

    private final JdbcClient jdbc;

    RegionImport(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String name() {
        return "regions";
    }

    /** A new village under the first township of the user's area, at a number no village there uses yet. */
    @Override
    public List<String> exampleRow(CurrentUser user) {
        if (user == null || user.scope().type() != Scope.Type.REGION) {
            return exampleRow();
        }
        return jdbc.sql("""
                SELECT code FROM region WHERE level = 'VILLAGE' AND code BETWEEN :low AND :high ORDER BY code LIMIT 1""")
                .param("low", user.scope().lowestRegion()).param("high", user.scope().highestRegion())
                .query(String.class).optional().map(v -> {
                    String township = v.substring(0, 9);
                    Set<String> used = new HashSet<>(jdbc.sql("SELECT code FROM region WHERE code LIKE :p")
                            .param("p", township + "%").query(String.class).list());
                    for (int n = 399; n > 0; n--) {
                        String code = township + String.format("%03d", n);
                        if (!used.contains(code)) {
                            return List.of(code, "示例村", "否", "220");
                        }
                    }
                    return exampleRow();
                }).orElseGet(this::exampleRow);
    }

    @Override
    public boolean mayImport(Role role) {
        return role == Role.CENTER;
    }

    @Override
    public List<Column> columns() {
        return List.of(Column.req("code"), Column.req("name"), Column.opt("keyPoorVillage"),
                Column.opt("urbanRuralClass"));
    }

    @Override
    public List<String> exampleRow() {
        return List.of("421182101201", "示例村", "否", "220");
    }

    private static final Set<String> URBAN_RURAL = Set.of("111", "112", "121", "122", "123", "210", "220");

    @Override
    public void importChunk(List<ImportRow> rows, ImportContext ctx) {
        // Divisions belong to the aid center of the area above them; the ADMIN manages accounts, not villages.
        boolean center = ctx.user().role() == Role.CENTER;
        Set<String> seen = ctx.state("seen", HashSet::new);
        for (ImportRow row : rows) {
            String code = row.get("code");
            if (!center) {
                ctx.reject(row, "code", "import.rule.roleMayNot");
                continue;
            }
            if (!RegionCode.isValid(code)) {
                ctx.reject(row, "code", "import.rule.regionCode");
                continue;
            }
            // Inside the writer's area; or, for a new deployment, a division above it that is not there yet (a
            // county's center sets up its province and city rows once, and can never rename them afterwards).
            var scope = ctx.user().scope();
            boolean missingAncestor = scope.type() == Scope.Type.REGION
                    && scope.code().startsWith(new RegionCode(code).prefix()) && !exists(code) && !seen.contains(code);
            if (!scope.containsRegion(code) && !missingAncestor) {
                ctx.reject(row, "code", "import.rule.outOfScope");
                continue;
            }
            if (!seen.add(code)) {
                ctx.reject(row, "code", "import.rule.duplicateInFile");
            }
            if (!row.has("name")) {
                ctx.reject(row, "name", "import.rule.required");
            } else if (row.get("name").length() > 100) {
                ctx.reject(row, "name", "import.rule.tooLong", 100);
            }
            Boolean kpv = ImportContext.bool(row.get("keyPoorVillage"));
            if (kpv == null) {
                ctx.reject(row, "keyPoorVillage", "import.rule.yesNo");
            }
            String urc = row.get("urbanRuralClass");
            if (!urc.isEmpty() && !URBAN_RURAL.contains(urc)) {
                ctx.reject(row, "urbanRuralClass", "import.rule.urbanRural");
            }
            RegionCode rc = new RegionCode(code);
            if (Boolean.TRUE.equals(kpv) && rc.level() != RegionCode.Level.VILLAGE) {
                ctx.reject(row, "keyPoorVillage", "import.rule.keyVillageLevel");
            }
            String parent = rc.parentCode();
            if (parent != null && !exists(parent) && !seen.contains(parent)) {
                ctx.reject(row, "code", "import.rule.parentMissing", parent);
            }
            if (ctx.isRejected(row)) {
                continue;
            }
            boolean existed = exists(code);
            Map<String, Object> p = new HashMap<>();
            p.put("code", code);
            p.put("name", row.get("name"));
            p.put("level", rc.level().name());
            p.put("parent", parent != null && exists(parent) ? parent : null);
            p.put("path", rc.prefix());
            p.put("kpv", kpv);
            p.put("urc", urc.isEmpty() ? null : urc);
            if (existed) {
                jdbc.sql("UPDATE region SET name = :name, key_poor_village = :kpv, urban_rural_class = :urc "
                        + "WHERE code = :code").params(p).update();
            } else {
                jdbc.sql("INSERT INTO region (code, name, level, parent_code, path, key_poor_village, urban_rural_class) "
                        + "VALUES (:code, :name, :level, :parent, :path, :kpv, :urc)").params(p).update();
            }
        }
    }

    private boolean exists(String code) {
        return jdbc.sql("SELECT COUNT(*) FROM region WHERE code = :c").param("c", code).query(Long.class).single() > 0;
    }
}
