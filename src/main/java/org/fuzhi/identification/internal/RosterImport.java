package org.fuzhi.identification.internal;

import java.sql.Date;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.fuzhi.common.IdNumber;
import org.fuzhi.common.Masking;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.ImportContext;
import org.fuzhi.platform.ImportKind;
import org.fuzhi.platform.ImportRow;
import org.fuzhi.platform.Role;
import org.fuzhi.region.Directory;
import org.fuzhi.registry.PovertyCategory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Import of the poverty roster (脱贫户 and monitored households with their members) from the
 * poverty-alleviation office. The roster is kept as imported: a new import replaces the current roster and the
 * earlier rows stay as history. ID numbers with typos are kept (raw), because linkage must still find their
 * child; only rows that cannot be a roster entry at all are rejected.
 */
@Component
class RosterImport implements ImportKind {

    static final String SOURCE = "POVERTY";

    private final JdbcTemplate jdbc;
    private final FieldCrypto crypto;

    private final Directory directory;

    RosterImport(JdbcTemplate jdbc, FieldCrypto crypto, Directory directory) {
        this.directory = directory;
        this.crypto = crypto;
        this.jdbc = jdbc;
    }

    @Override
    public String name() {
        return "roster";
    }

    @Override
    public boolean mayImport(Role role) {
        return role == Role.CENTER;
    }

    @Override
    public List<Column> columns() {
        return List.of(Column.req("householdNo"), Column.req("villageCode"), Column.req("category"),
                Column.opt("monitoringStatus"), Column.opt("identifiedYear"), Column.opt("exitedYear"),
                Column.req("memberName"), Column.req("memberIdNumber"), Column.opt("relation"), Column.opt("gender"),
                Column.opt("birthDate"));
    }

    @Override
    public List<String> exampleRow(CurrentUser user) {
        // The household of the households template's example: the two templates describe the same made-up family.
        return directory.firstVillage(user.scope()).map(v -> List.of(v.substring(0, 6) + "9999999901", v, "脱贫户", "",
                "2016", "2019", "王示例", ImportKind.exampleId(v.substring(0, 6), "19800101", "997"), "户主", "男",
                "1980-01-01")).orElseGet(this::exampleRow);
    }

    @Override
    public List<String> exampleRow() {
        return List.of("4211820000000001", "421182101201", "脱贫户", "", "2016", "2019", "王示例", "421182198001010012",
                "户主", "男", "1980-01-01");
    }

    private record Row(String householdNo, String village, String category, String monitoring, Integer identified,
                       Integer exited, String name, String raw, String id, String gender, LocalDate birth,
                       String relation, LocalDate statedBirth, String statedGender) {
    }

    @Override
    public void importChunk(List<ImportRow> rows, ImportContext ctx) {
        if (ctx.user().role() != Role.CENTER) {
            rows.forEach(r -> ctx.reject(r, "householdNo", "import.rule.roleMayNot"));
            return;
        }
        // The first chunk retires the current roster of the importer's area — never another county's; the
        // transaction makes this all-or-nothing with the import.
        var area = ctx.user().scope();
        ctx.state("retired", () -> jdbc.update("UPDATE roster_member SET is_current = FALSE, retired_by = ? WHERE source = ?"
                + " AND is_current AND village_code BETWEEN ? AND ?", ctx.importId(), SOURCE, area.lowestRegion(),
                area.highestRegion()));
        List<Row> ok = new ArrayList<>();
        for (ImportRow row : rows) {
            // A line without a usable ID number is still imported: name, birth date, gender, household and village
            // can find the person (issue 10).
            for (String col : List.of("householdNo", "villageCode", "memberName")) {
                if (!row.has(col)) {
                    ctx.reject(row, col, "import.rule.required");
                }
            }
            if (!row.get("villageCode").isEmpty() && !ctx.user().scope().containsRegion(row.get("villageCode"))) {
                ctx.reject(row, "villageCode", "import.rule.outOfScope");
            }
            var category = ctx.enumValue(PovertyCategory.class, row.get("category"));
            if (category.isEmpty() || !category.get().onRoster()) {
                ctx.reject(row, "category", "import.rule.rosterCategory");
            }
            if (row.get("memberName").length() > 50) {
                ctx.reject(row, "memberName", "import.rule.tooLong", 50);
            }
            if (row.get("memberIdNumber").length() > 40) {
                ctx.reject(row, "memberIdNumber", "import.rule.tooLong", 40);
            }
            if (ctx.isRejected(row)) {
                continue;
            }
            String raw = row.get("memberIdNumber");
            boolean damaged = IdNumber.excelDamaged(raw);
            var parsed = damaged ? new IdNumber.Parsed(null, IdNumber.Problem.CHARACTERS) : IdNumber.parse(raw);
            LocalDate stated = dateOf(row.get("birthDate"));
            String statedGender = genderOf(row.get("gender"));
            LocalDate fromDigits = parsed.valid() ? parsed.id().birthDate() : IdNumber.birthDateIn(raw);
            LocalDate birth = fromDigits != null ? fromDigits : stated;
            String gender = parsed.valid() ? parsed.id().gender().name() : statedGender;
            ok.add(new Row(row.get("householdNo"), row.get("villageCode"), category.get().name(),
                    emptyToNull(row.get("monitoringStatus")), year(row.get("identifiedYear")),
                    year(row.get("exitedYear")), row.get("memberName").replace(" ", ""), row.get("memberIdNumber"),
                    parsed.valid() ? parsed.id().value() : null, gender, birth, emptyToNull(row.get("relation")),
                    stated, statedGender));
        }
        Timestamp now = Timestamp.from(Instant.now());
        String importId = ctx.importId();
        jdbc.batchUpdate("""
                INSERT INTO roster_member (import_id, source, household_no, village_code, category, monitoring_status,
                       identified_year, exited_year, name, id_raw_sealed, id_index, gender, birth_date, relation,
                       is_current, imported_at, id_raw_masked, stated_birth_date, stated_gender)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?, ?, ?)""", ok, 500, (ps, r) -> {
            ps.setString(1, importId);
            ps.setString(2, SOURCE);
            ps.setString(3, r.householdNo());
            ps.setString(4, r.village());
            ps.setString(5, r.category());
            ps.setString(6, r.monitoring());
            ps.setObject(7, r.identified(), Types.INTEGER);
            ps.setObject(8, r.exited(), Types.INTEGER);
            ps.setString(9, r.name());
            // Sealed as written and indexed as normalised (ADR 0011): the clear number is never stored.
            ps.setString(10, crypto.seal(FieldCrypto.Kind.RAW_ID, r.raw()));
            ps.setString(11, crypto.index(r.id()));
            ps.setString(12, r.gender());
            ps.setDate(13, r.birth() == null ? null : Date.valueOf(r.birth()));
            ps.setString(14, r.relation());
            ps.setTimestamp(15, now);
            ps.setString(16, Masking.idNumber(r.raw()));
            ps.setDate(17, r.statedBirth() == null ? null : Date.valueOf(r.statedBirth()));
            ps.setString(18, r.statedGender());
        });
    }

    /**
     * What the file does to the area's roster, line by line against the one it replaces: a person is the same line
     * when the household number and the ID number (or, without one, the name) agree; changed when the village,
     * category, monitoring status, years or name differ.
     */
    @Override
    public List<String> summarize(ImportContext ctx) {
        if (ctx.user().role() != Role.CENTER) {
            return List.of();
        }
        String key = "o.household_no = n.household_no AND (o.id_index = n.id_index OR (o.id_index IS NULL"
                + " AND n.id_index IS NULL AND o.name = n.name))";
        String same = " AND o.village_code = n.village_code AND o.category = n.category AND o.name = n.name"
                + " AND COALESCE(o.monitoring_status, '') = COALESCE(n.monitoring_status, '')"
                + " AND COALESCE(o.identified_year, 0) = COALESCE(n.identified_year, 0)"
                + " AND COALESCE(o.exited_year, 0) = COALESCE(n.exited_year, 0)";
        String id = ctx.importId();
        Long replaced = jdbc.queryForObject("SELECT COUNT(*) FROM roster_member WHERE retired_by = ?", Long.class, id);
        Long added = jdbc.queryForObject("SELECT COUNT(*) FROM roster_member n WHERE n.import_id = ? AND NOT EXISTS"
                + " (SELECT 1 FROM roster_member o WHERE o.retired_by = ? AND " + key + ")", Long.class, id, id);
        Long removed = jdbc.queryForObject("SELECT COUNT(*) FROM roster_member o WHERE o.retired_by = ? AND NOT EXISTS"
                + " (SELECT 1 FROM roster_member n WHERE n.import_id = ? AND " + key + ")", Long.class, id, id);
        Long unchanged = jdbc.queryForObject("SELECT COUNT(*) FROM roster_member n WHERE n.import_id = ? AND EXISTS"
                + " (SELECT 1 FROM roster_member o WHERE o.retired_by = ? AND " + key + same + ")", Long.class, id, id);
        Long lines = jdbc.queryForObject("SELECT COUNT(*) FROM roster_member WHERE import_id = ?", Long.class, id);
        long changed = lines - added - unchanged;
        return List.of(ctx.message("import.roster.diff", replaced, added, removed, changed, unchanged));
    }

    private static final DateTimeFormatter[] DATE_FORMATS = {
            DateTimeFormatter.ofPattern("uuuu-M-d"), DateTimeFormatter.ofPattern("uuuu/M/d"),
            DateTimeFormatter.ofPattern("uuuuMMdd"), DateTimeFormatter.ofPattern("uuuu.M.d"),
            DateTimeFormatter.ofPattern("uuuu年M月d日")};

    /** A birth date as rosters write it (2015-03-04, 2015/3/4, 20150304, 2015.03.04, 2015年3月4日); null if none. */
    static LocalDate dateOf(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        for (var f : DATE_FORMATS) {
            try {
                LocalDate d = LocalDate.parse(s.strip(), f.withResolverStyle(ResolverStyle.STRICT));
                return d.getYear() < 1900 || d.isAfter(LocalDate.now()) ? null : d;
            } catch (DateTimeParseException ignored) {
                // the next format
            }
        }
        return null;
    }

    private static String genderOf(String s) {
        return switch (s.strip().toUpperCase(Locale.ROOT)) {
            case "男", "M", "1" -> "M";
            case "女", "F", "2" -> "F";
            default -> null;
        };
    }

    private static Integer year(String s) {
        try {
            return s.isBlank() ? null : Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
