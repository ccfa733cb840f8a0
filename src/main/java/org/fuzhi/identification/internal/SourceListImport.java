package org.fuzhi.identification.internal;

import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.common.IdNumber;
import org.fuzhi.common.Masking;
import org.fuzhi.common.RegionCode;
import org.fuzhi.identification.SourceList;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.ImportContext;
import org.fuzhi.platform.ImportKind;
import org.fuzhi.platform.ImportRow;
import org.fuzhi.platform.Role;
import org.fuzhi.region.Directory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Import of another department's list (低保, 特困, 孤儿/事实无人抚养, 残疾). Unlike the roster these lists only add
 * attributes, found by exact ID number, so a row whose ID number cannot be read is rejected with the reason;
 * 20-digit disability-card numbers are accepted and turned into the ID number they contain.
 */
@Component
class SourceListImport implements ImportKind {

    /** The words departments write in their files for each list, besides the enum's own labels. */
    private static final Map<String, SourceList> ALIASES = Map.ofEntries(
            Map.entry("低保", SourceList.DIBAO), Map.entry("农村低保", SourceList.DIBAO),
            Map.entry("城乡低保", SourceList.DIBAO), Map.entry("最低生活保障", SourceList.DIBAO),
            Map.entry("特困", SourceList.TEKUN), Map.entry("特困供养", SourceList.TEKUN),
            Map.entry("特困人员", SourceList.TEKUN), Map.entry("孤儿", SourceList.ORPHAN),
            Map.entry("事实无人抚养", SourceList.ORPHAN), Map.entry("事实无人抚养儿童", SourceList.ORPHAN),
            Map.entry("残疾", SourceList.DISABILITY), Map.entry("残疾人", SourceList.DISABILITY),
            Map.entry("持证残疾人", SourceList.DISABILITY));

    private final JdbcTemplate jdbc;
    private final FieldCrypto crypto;

    private final Directory directory;

    SourceListImport(JdbcTemplate jdbc, FieldCrypto crypto, Directory directory) {
        this.directory = directory;
        this.crypto = crypto;
        this.jdbc = jdbc;
    }

    @Override
    public String name() {
        return "source-list";
    }

    @Override
    public boolean mayImport(Role role) {
        return role == Role.CENTER;
    }

    @Override
    public List<Column> columns() {
        return List.of(Column.req("listType"), Column.req("name"), Column.req("idNumber"), Column.req("regionCode"),
                Column.opt("year"), Column.opt("detail"));
    }

    @Override
    public List<String> exampleRow(CurrentUser user) {
        return directory.firstVillage(user.scope()).map(v -> List.of("农村低保", "王示例",
                ImportKind.exampleId(v.substring(0, 6), "20100101", "998"), v, "2026", ""))
                .orElseGet(this::exampleRow);
    }

    @Override
    public List<String> exampleRow() {
        return List.of("农村低保", "王示例", "421182201001010019", "421182101201", "2026", "");
    }

    private record Row(SourceList type, String name, String raw, String id, String region, Integer year,
                       String detail) {
    }

    @Override
    public void importChunk(List<ImportRow> rows, ImportContext ctx) {
        if (ctx.user().role() != Role.CENTER) {
            rows.forEach(r -> ctx.reject(r, "listType", "import.rule.roleMayNot"));
            return;
        }
        List<Row> ok = new ArrayList<>();
        for (ImportRow row : rows) {
            for (String col : List.of("listType", "name", "idNumber", "regionCode")) {
                if (!row.has(col)) {
                    ctx.reject(row, col, "import.rule.required");
                }
            }
            SourceList type = typeOf(row.get("listType"), ctx);
            if (row.has("listType") && type == null) {
                ctx.reject(row, "listType", "import.rule.sourceListType");
            }
            String region = row.get("regionCode");
            if (!region.isEmpty() && !RegionCode.isValid(region)) {
                ctx.reject(row, "regionCode", "import.rule.regionCode");
            } else if (!region.isEmpty() && !ctx.user().scope().containsRegion(region)) {
                ctx.reject(row, "regionCode", "import.rule.outOfScope");
            }
            if (row.get("name").length() > 50) {
                ctx.reject(row, "name", "import.rule.tooLong", 50);
            }
            if (row.get("detail").length() > 100) {
                ctx.reject(row, "detail", "import.rule.tooLong", 100);
            }
            var parsed = IdNumber.parse(row.get("idNumber"));
            if (row.has("idNumber") && !parsed.valid()) {
                ctx.reject(row, "idNumber", "id.problem." + parsed.problem().name());
            }
            Integer year = null;
            if (row.has("year")) {
                try {
                    year = Integer.parseInt(row.get("year").strip());
                    if (year < 2000 || year > 2100) {
                        ctx.reject(row, "year", "import.rule.range", 2000, 2100);
                    }
                } catch (NumberFormatException e) {
                    ctx.reject(row, "year", "import.rule.integer");
                }
            }
            if (ctx.isRejected(row)) {
                continue;
            }
            ok.add(new Row(type, row.get("name").replace(" ", ""), row.get("idNumber"), parsed.id().value(), region,
                    year, row.has("detail") ? row.get("detail").strip() : null));
        }
        // Each list type in the file replaces that type's current list once; the import's transaction makes the
        // replacement all-or-nothing, and the earlier rows stay as history.
        // Only inside the importer's area: a county's new 低保 list never retires another county's.
        var area = ctx.user().scope();
        for (Row r : ok) {
            ctx.state("retired:" + r.type(), () -> jdbc.update(
                    "UPDATE source_list_member SET is_current = FALSE WHERE list_type = ? AND is_current"
                            + " AND region_code BETWEEN ? AND ?", r.type().name(), area.lowestRegion(), area.highestRegion()));
        }
        Timestamp now = Timestamp.from(Instant.now());
        String importId = ctx.importId();
        jdbc.batchUpdate("""
                INSERT INTO source_list_member (import_id, list_type, name, id_raw_sealed, id_index, region_code,
                       list_year, detail, is_current, imported_at, id_raw_masked)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?)""", ok, 500, (ps, r) -> {
            ps.setString(1, importId);
            ps.setString(2, r.type().name());
            ps.setString(3, r.name());
            ps.setString(4, crypto.seal(FieldCrypto.Kind.RAW_ID, r.raw()));
            ps.setString(5, crypto.index(r.id()));
            ps.setString(6, r.region());
            ps.setObject(7, r.year(), Types.INTEGER);
            ps.setString(8, r.detail());
            ps.setTimestamp(9, now);
            ps.setString(10, Masking.idNumber(r.raw()));
        });
    }

    private static SourceList typeOf(String raw, ImportContext ctx) {
        String s = raw == null ? "" : raw.strip();
        SourceList alias = ALIASES.get(s);
        if (alias != null) {
            return alias;
        }
        return ctx.enumValue(SourceList.class, s.toLowerCase(Locale.ROOT)).orElse(null);
    }
}
