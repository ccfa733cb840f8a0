package org.fuzhi.registry.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.Year;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Import of households with their members, one row per member; the household columns repeat on each
 * member's row and must agree. Re-importing updates by 户编号 and by ID number.
 */
@Component
class HouseholdImport implements ImportKind {

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final Directory directory;
    private final FieldCrypto crypto;
    private final KeptCounts counts;

    HouseholdImport(JdbcClient jdbc, JdbcTemplate batch, Directory directory, FieldCrypto crypto, KeptCounts counts) {
        this.counts = counts;
        this.crypto = crypto;
        this.jdbc = jdbc;
        this.batch = batch;
        this.directory = directory;
    }

    @Override
    public String name() {
        return "households";
    }

    @Override
    public boolean mayImport(Role role) {
        return role == Role.CENTER || role == Role.VILLAGE;
    }

    @Override
    public List<Column> columns() {
        return List.of(Column.req("householdNo"), Column.req("villageCode"), Column.req("headName"),
                Column.opt("povertyCategory"), Column.opt("identifiedYear"), Column.opt("exitedYear"),
                Column.opt("incomePerHead"), Column.opt("housingSafe"), Column.req("memberName"),
                Column.req("memberIdNumber"), Column.req("relation"), Column.opt("gender"), Column.opt("birthDate"),
                Column.opt("ethnicity"), Column.opt("disability"), Column.opt("health"));
    }

    @Override
    public List<String> exampleRow(CurrentUser user) {
        // A made-up household of the user's first village, with a number and an ID no county hands out.
        return directory.firstVillage(user.scope()).map(v -> List.of(v.substring(0, 6) + "9999999901", v, "王示例",
                "脱贫户", "2016", "2019", "8650.00", "是", "王示例",
                ImportKind.exampleId(v.substring(0, 6), "19800101", "997"), "户主", "男", "1980-01-01", "汉族", "否",
                "健康")).orElseGet(this::exampleRow);
    }

    @Override
    public List<String> exampleRow() {
        return List.of("4211820000000001", "421182101201", "王示例", "脱贫户", "2016", "2019", "8650.00", "是",
                "王示例", "421182198001010012", "户主", "男", "1980-01-01", "汉族", "否", "健康");
    }

    private record Household(String no, String village, String head, PovertyCategory category, Integer identified,
                             Integer exited, BigDecimal income, Boolean housingSafe) {
    }

    private record Member(String householdNo, IdNumber id, String name, String relation, String ethnicity,
                          boolean disability, String health) {
    }

    @Override
    public void importChunk(List<ImportRow> rows, ImportContext ctx) {
        Role role = ctx.user().role();
        boolean allowed = role == Role.CENTER || role == Role.VILLAGE;
        Map<String, Integer> householdFingerprint = ctx.state("households", HashMap::new);
        Map<String, Integer> firstRowOf = ctx.state("householdRows", HashMap::new);
        LongSet ids = ctx.state("ids", LongSet::new);
        Map<String, Boolean> villages = ctx.state("villages", HashMap::new);

        Map<String, Household> households = new LinkedHashMap<>();
        List<Member> members = new ArrayList<>();
        List<ImportRow> memberRows = new ArrayList<>();
        for (ImportRow row : rows) {
            if (!allowed) {
                ctx.reject(row, "householdNo", "import.rule.roleMayNot");
                continue;
            }
            RowChecks.required(row, ctx, "householdNo", "villageCode", "headName", "memberName", "relation");
            RowChecks.maxLength(row, ctx, "householdNo", 32);
            RowChecks.maxLength(row, ctx, "headName", 50);
            RowChecks.maxLength(row, ctx, "memberName", 50);
            RowChecks.maxLength(row, ctx, "relation", 20);
            RowChecks.maxLength(row, ctx, "ethnicity", 20);
            RowChecks.maxLength(row, ctx, "health", 50);
            String village = row.get("villageCode");
            if (!village.isEmpty()) {
                boolean known = villages.computeIfAbsent(village, v -> directory.region(v).isPresent());
                if (!known) {
                    ctx.reject(row, "villageCode", "import.rule.regionMissing", village);
                } else if (!ctx.user().scope().containsRegion(village)) {
                    ctx.reject(row, "villageCode", "import.rule.outOfScope");
                }
            }
            PovertyCategory category = null;
            if (row.has("povertyCategory")) {
                category = ctx.enumValue(PovertyCategory.class, row.get("povertyCategory")).orElse(null);
                if (category == null) {
                    ctx.reject(row, "povertyCategory", "import.rule.povertyCategory");
                }
            }
            Integer identified = year(row, ctx, "identifiedYear");
            Integer exited = year(row, ctx, "exitedYear");
            if (identified != null && exited != null && exited < identified) {
                ctx.reject(row, "exitedYear", "import.rule.exitBeforeIdentified");
            }
            BigDecimal income = null;
            if (row.has("incomePerHead")) {
                try {
                    // Excel hands numbers back as doubles: normalise to fen at the boundary.
                    income = new BigDecimal(row.get("incomePerHead").replace(",", "")).setScale(2, RoundingMode.HALF_UP);
                    if (income.signum() < 0 || income.compareTo(new BigDecimal("100000000")) >= 0) {
                        ctx.reject(row, "incomePerHead", "import.rule.range", 0, 100000000);
                    }
                } catch (NumberFormatException e) {
                    ctx.reject(row, "incomePerHead", "import.rule.amount");
                }
            }
            Boolean housingSafe = row.has("housingSafe") ? RowChecks.flag(row, ctx, "housingSafe") : null;
            boolean disability = RowChecks.flag(row, ctx, "disability");
            IdNumber id = RowChecks.idNumber(row, ctx, "memberIdNumber", "gender", "birthDate");
            if (id != null && !ids.add(LongSet.key(id.value()))) {
                ctx.reject(row, "memberIdNumber", "import.rule.duplicateInFile");
            }
            String no = row.get("householdNo");
            Household h = new Household(no, village, row.get("headName"), category, identified, exited, income,
                    housingSafe);
            if (!no.isEmpty()) {
                int fp = Objects.hash(h.village(), h.head(), h.category(), h.identified(), h.exited(), h.income(),
                        h.housingSafe());
                Integer known = householdFingerprint.putIfAbsent(no, fp);
                firstRowOf.putIfAbsent(no, row.rowNo());
                if (known != null && known != fp) {
                    ctx.reject(row, "householdNo", "import.rule.householdInconsistent", firstRowOf.get(no));
                }
            }
            if (ctx.isRejected(row)) {
                continue;
            }
            households.putIfAbsent(no, h);
            members.add(new Member(no, id, row.get("memberName"), row.get("relation"), emptyToNull(row.get("ethnicity")),
                    disability, emptyToNull(row.get("health"))));
            memberRows.add(row);
        }
        if (members.isEmpty()) {
            return;
        }
        // A person already registered in another household is not moved silently; one registered outside the
        // importer's area is not touched at all (and the message names nothing of the other area's records).
        // Persons are found by the blind index of their number (ADR 0011); both maps are keyed by that index.
        Map<String, String> idIndex = new HashMap<>();
        members.forEach(m -> idIndex.computeIfAbsent(m.id().value(), crypto::index));
        Map<String, String> existingHousehold = new HashMap<>();
        Set<String> outside = new HashSet<>();
        var area = ctx.user().scope();
        jdbc.sql("SELECT p.id_index, h.household_no, h.region_code, e.school_region_code FROM person p "
                        + "LEFT JOIN household h ON h.id = p.household_id LEFT JOIN enrolment e ON e.person_id = p.id "
                        + "WHERE p.id_index IN (:ids)")
                .param("ids", List.copyOf(new HashSet<>(idIndex.values())))
                .query(rs -> {
                    String index = rs.getString(1).strip();
                    existingHousehold.put(index, rs.getString(2) == null ? "" : rs.getString(2));
                    String home = rs.getString(3) != null ? rs.getString(3) : rs.getString(4);
                    if (home == null || !area.containsRegion(home)) {
                        outside.add(index);
                    }
                });
        // An existing household number is updated only where that household lives inside the importer's area: a
        // village must not take another county's family over by writing its number with its own village.
        Map<String, String> householdRegion = new HashMap<>();
        jdbc.sql("SELECT household_no, region_code FROM household WHERE household_no IN (:n)")
                .param("n", List.copyOf(households.keySet())).query(rs -> {
                    householdRegion.put(rs.getString(1), rs.getString(2));
                });
        List<Member> accepted = new ArrayList<>();
        Map<String, Household> acceptedHouseholds = new LinkedHashMap<>();
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            String region = householdRegion.get(m.householdNo());
            if (region != null && !area.containsRegion(region)) {
                ctx.reject(memberRows.get(i), "householdNo", "import.rule.householdOutOfScope");
                continue;
            }
            if (outside.contains(idIndex.get(m.id().value()))) {
                ctx.reject(memberRows.get(i), "memberIdNumber", "import.rule.personOutOfScope");
                continue;
            }
            String current = existingHousehold.get(idIndex.get(m.id().value()));
            if (current != null && !current.isEmpty() && !current.equals(m.householdNo())) {
                ctx.reject(memberRows.get(i), "memberIdNumber", "import.rule.personInOtherHousehold", current);
                continue;
            }
            accepted.add(m);
            acceptedHouseholds.putIfAbsent(m.householdNo(), households.get(m.householdNo()));
        }
        // The overview's counts: the village a household leaves and the one it joins, and its pupils' schools.
        counts.touchVillages(acceptedHouseholds.values().stream().map(Household::village).toList());
        counts.touchVillages(acceptedHouseholds.keySet().stream().map(householdRegion::get).filter(Objects::nonNull)
                .toList());
        counts.touchHouseholds(acceptedHouseholds.keySet());
        writeHouseholds(acceptedHouseholds.values());
        writeMembers(accepted, existingHousehold, idIndex);
    }

    private void writeHouseholds(Collection<Household> hs) {
        if (hs.isEmpty()) {
            return;
        }
        List<String> nos = hs.stream().map(Household::no).toList();
        var existing = new HashSet<>(jdbc.sql("SELECT household_no FROM household WHERE household_no IN (:n)")
                .param("n", nos).query(String.class).list());
        Timestamp now = Timestamp.from(Instant.now());
        List<Household> inserts = hs.stream().filter(h -> !existing.contains(h.no())).toList();
        List<Household> updates = hs.stream().filter(h -> existing.contains(h.no())).toList();
        batch.batchUpdate("""
                INSERT INTO household (region_code, head_name, poverty_category, on_roster, identified_year, exited_year,
                                       income_per_head, housing_safe, updated_at, household_no)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", inserts, 500, (ps, h) -> bindHousehold(ps, h, now));
        batch.batchUpdate("""
                UPDATE household SET region_code = ?, head_name = ?, poverty_category = ?, on_roster = ?,
                       identified_year = ?, exited_year = ?, income_per_head = ?, housing_safe = ?, updated_at = ?,
                       version = version + 1
                WHERE household_no = ?""", updates, 500, (ps, h) -> bindHousehold(ps, h, now));
    }

    private static void bindHousehold(PreparedStatement ps, Household h, Timestamp now)
            throws SQLException {
        ps.setString(1, h.village());
        ps.setString(2, h.head());
        ps.setString(3, h.category() == null ? null : h.category().name());
        ps.setBoolean(4, h.category() != null && h.category().onRoster());
        ps.setObject(5, h.identified(), Types.INTEGER);
        ps.setObject(6, h.exited(), Types.INTEGER);
        ps.setBigDecimal(7, h.income());
        ps.setObject(8, h.housingSafe(), Types.BOOLEAN);
        ps.setTimestamp(9, now);
        ps.setString(10, h.no());
    }

    private void writeMembers(List<Member> members, Map<String, String> existing, Map<String, String> idIndex) {
        Timestamp now = Timestamp.from(Instant.now());
        List<Member> inserts = members.stream().filter(m -> !existing.containsKey(idIndex.get(m.id().value()))).toList();
        List<Member> updates = members.stream().filter(m -> existing.containsKey(idIndex.get(m.id().value()))).toList();
        String householdId = "(SELECT id FROM household WHERE household_no = ?)";
        batch.batchUpdate("INSERT INTO person (name, gender, birth_date, relation, ethnicity, disability, health, "
                        + "updated_at, household_id, id_index, id_masked) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, " + householdId + ", ?, ?)",
                inserts, 500, (ps, m) -> {
                    bindMember(ps, m, now, idIndex.get(m.id().value()));
                    ps.setString(11, Masking.idNumber(m.id().value()));
                });
        // The sealed number in its side table (V16), found by the index just written.
        batch.batchUpdate("INSERT INTO person_sealed (person_id, id_sealed) "
                        + "VALUES ((SELECT id FROM person WHERE id_index = ?), ?)",
                inserts, 500, (ps, m) -> {
                    ps.setString(1, idIndex.get(m.id().value()));
                    ps.setString(2, crypto.seal(FieldCrypto.Kind.ID_NUMBER, m.id().value()));
                });
        batch.batchUpdate("UPDATE person SET name = ?, gender = ?, birth_date = ?, relation = ?, ethnicity = ?, "
                        + "disability = ?, health = ?, updated_at = ?, household_id = " + householdId
                        + ", version = version + 1 WHERE id_index = ?",
                updates, 500, (ps, m) -> bindMember(ps, m, now, idIndex.get(m.id().value())));
    }

    private static void bindMember(PreparedStatement ps, Member m, Timestamp now, String idIndex)
            throws SQLException {
        ps.setString(1, m.name());
        ps.setString(2, m.id().gender().name());
        ps.setDate(3, Date.valueOf(m.id().birthDate()));
        ps.setString(4, m.relation());
        ps.setString(5, m.ethnicity());
        ps.setBoolean(6, m.disability());
        ps.setString(7, m.health());
        ps.setTimestamp(8, now);
        ps.setString(9, m.householdNo());
        ps.setString(10, idIndex);
    }

    private static Integer year(ImportRow row, ImportContext ctx, String col) {
        if (!row.has(col)) {
            return null;
        }
        try {
            int y = Integer.parseInt(row.get(col));
            if (y < 1980 || y > Year.now().getValue()) {
                ctx.reject(row, col, "import.rule.range", 1980, Year.now().getValue());
                return null;
            }
            return y;
        } catch (NumberFormatException e) {
            ctx.reject(row, col, "import.rule.integer");
            return null;
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
