package org.fuzhi.registry.internal;

import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.fuzhi.common.IdNumber;
import org.fuzhi.common.Masking;
import org.fuzhi.common.SchoolType;
import org.fuzhi.common.Stage;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.ImportContext;
import org.fuzhi.platform.ImportKind;
import org.fuzhi.platform.ImportRow;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.Scope;
import org.fuzhi.region.Directory;
import org.fuzhi.region.SchoolView;
import org.fuzhi.registry.EnrolmentStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Import of students with their enrolment (学籍). The natural key is the 学籍号; an ID number that
 * already belongs to another 学籍号 is a duplicate and is refused.
 */
@Component
class StudentImport implements ImportKind {

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final Directory directory;
    private final FieldCrypto crypto;
    private final KeptCounts counts;

    StudentImport(JdbcClient jdbc, JdbcTemplate batch, Directory directory, FieldCrypto crypto, KeptCounts counts) {
        this.counts = counts;
        this.crypto = crypto;
        this.jdbc = jdbc;
        this.batch = batch;
        this.directory = directory;
    }

    @Override
    public String name() {
        return "students";
    }

    /** Ages (in whole years today) a pupil of each stage can have, with room for late starts and repeated years. */
    static boolean plausibleAge(Stage stage, LocalDate birth) {
        int age = Period.between(birth, LocalDate.now()).getYears();
        return switch (stage) {
            case KINDERGARTEN -> age >= 1 && age <= 8;
            case PRIMARY -> age >= 4 && age <= 18;
            case JUNIOR -> age >= 9 && age <= 22;
            case SENIOR -> age >= 12 && age <= 26;
            case VOCATIONAL -> age >= 12 && age <= 35;
            case HIGHER_VOCATIONAL, UNDERGRADUATE -> age >= 14 && age <= 50;
            case POSTGRADUATE -> age >= 17 && age <= 65;
        };
    }

    @Override
    public boolean mayImport(Role role) {
        return role == Role.CENTER || role == Role.SCHOOL_OPERATOR;
    }

    @Override
    public List<Column> columns() {
        return List.of(Column.req("studentNo"), Column.req("name"), Column.req("idNumber"), Column.opt("gender"),
                Column.opt("birthDate"), Column.opt("ethnicity"), Column.req("schoolCode"), Column.req("stage"),
                Column.opt("grade"), Column.opt("className"), Column.opt("boarding"), Column.req("status"),
                Column.opt("householdNo"), Column.opt("relation"), Column.opt("leftBehind"),
                Column.opt("singleParent"), Column.opt("orphan"), Column.opt("disability"));
    }

    @Override
    public List<String> exampleRow(CurrentUser user) {
        // A made-up pupil of the first primary school the user may import for; no household (it need not exist).
        var school = user.scope().type() == Scope.Type.SCHOOL
                ? directory.school(user.scope().code())
                : directory.schools(user.scope(), new Directory.SchoolQuery(null, "PRIMARY", null), 0, 1).items()
                        .stream().findFirst();
        return school.filter(s -> s.regionCode() != null && (s.type() == SchoolType.PRIMARY
                || s.type() == SchoolType.TEACHING_POINT
                || s.type() == SchoolType.NINE_YEAR)).map(s -> {
            String id = ImportKind.exampleId(s.regionCode().substring(0, 6), "20150304", "999");
            return List.of("G" + id, "李示例", id, "男", "2015-03-04", "汉族", s.code(), "小学", "4", "4(1)班", "否",
                    "在读", "", "", "是", "否", "否", "否");
        }).orElseGet(this::exampleRow);
    }

    @Override
    public List<String> exampleRow() {
        return List.of("G421182201503049990", "李示例", "421182201503049990", "男", "2015-03-04", "汉族",
                "2142990001", "小学", "4", "4(1)班", "否", "在读", "4211820000000001", "子女", "是", "否", "否", "否");
    }

    record Student(ImportRow row, String studentNo, IdNumber id, String name, String ethnicity, SchoolView school,
                   Stage stage, Integer grade, String className, boolean boarding, EnrolmentStatus status,
                   String householdNo, String relation, boolean leftBehind, boolean singleParent, boolean orphan,
                   boolean disability) {
    }

    @Override
    public void importChunk(List<ImportRow> rows, ImportContext ctx) {
        Role role = ctx.user().role();
        boolean allowed = role == Role.CENTER || role == Role.SCHOOL_OPERATOR;
        Map<String, Optional<SchoolView>> schools = ctx.state("schools", HashMap::new);
        LongSet ids = ctx.state("ids", LongSet::new);
        LongSet studentNos = ctx.state("studentNos", LongSet::new);

        List<Student> candidates = new ArrayList<>();
        for (ImportRow row : rows) {
            if (!allowed) {
                ctx.reject(row, "studentNo", "import.rule.roleMayNot");
                continue;
            }
            RowChecks.required(row, ctx, "name");
            RowChecks.maxLength(row, ctx, "name", 50);
            RowChecks.maxLength(row, ctx, "ethnicity", 20);
            RowChecks.maxLength(row, ctx, "className", 30);
            RowChecks.maxLength(row, ctx, "relation", 20);
            IdNumber id = RowChecks.idNumber(row, ctx, "idNumber", "gender", "birthDate");
            if (id != null && !ids.add(LongSet.key(id.value()))) {
                ctx.reject(row, "idNumber", "import.rule.duplicateInFile");
            }
            String no = row.get("studentNo").toUpperCase(Locale.ROOT);
            if (!no.matches("[GJL][0-9]{17}[0-9X]")) {
                ctx.reject(row, "studentNo", no.isEmpty() ? "import.rule.required" : "import.rule.studentNo");
            } else {
                if (!studentNos.add(LongSet.studentNoKey(no))) {
                    ctx.reject(row, "studentNo", "import.rule.duplicateInFile");
                }
                if (no.charAt(0) == 'G' && id != null && !no.substring(1).equals(id.value())) {
                    ctx.reject(row, "studentNo", "import.rule.studentNoIdMismatch");
                }
            }
            SchoolView school = null;
            String code = row.get("schoolCode");
            if (code.isEmpty()) {
                ctx.reject(row, "schoolCode", "import.rule.required");
            } else {
                school = schools.computeIfAbsent(code, directory::school).orElse(null);
                if (school == null) {
                    ctx.reject(row, "schoolCode", "import.rule.schoolMissing", code);
                } else if (!Directory.visible(ctx.user().scope(), school)) {
                    ctx.reject(row, "schoolCode", "import.rule.outOfScope");
                }
            }
            Stage stage = ctx.enumValue(Stage.class, row.get("stage")).orElse(null);
            if (stage == null) {
                ctx.reject(row, "stage", row.has("stage") ? "import.rule.stage" : "import.rule.required");
            } else if (id != null && !plausibleAge(stage, id.birthDate())) {
                // A 90-year-old first-grader is a typo in the ID or the stage, not a pupil.
                ctx.reject(row, "stage", "import.rule.ageForStage",
                        Period.between(id.birthDate(), LocalDate.now()).getYears());
            }
            Integer grade = null;
            if (row.has("grade")) {
                try {
                    grade = Integer.parseInt(row.get("grade"));
                    if (grade < 1 || grade > 9) {
                        ctx.reject(row, "grade", "import.rule.range", 1, 9);
                    }
                } catch (NumberFormatException e) {
                    ctx.reject(row, "grade", "import.rule.integer");
                }
            }
            EnrolmentStatus status = ctx.enumValue(EnrolmentStatus.class, row.get("status")).orElse(null);
            if (status == null) {
                ctx.reject(row, "status", row.has("status") ? "import.rule.status" : "import.rule.required");
            }
            boolean boarding = RowChecks.flag(row, ctx, "boarding");
            boolean leftBehind = RowChecks.flag(row, ctx, "leftBehind");
            boolean singleParent = RowChecks.flag(row, ctx, "singleParent");
            boolean orphan = RowChecks.flag(row, ctx, "orphan");
            boolean disability = RowChecks.flag(row, ctx, "disability");
            if (ctx.isRejected(row)) {
                continue;
            }
            candidates.add(new Student(row, no, id, row.get("name"), emptyToNull(row.get("ethnicity")), school, stage,
                    grade, emptyToNull(row.get("className")), boarding, status, emptyToNull(row.get("householdNo")),
                    emptyToNull(row.get("relation")), leftBehind, singleParent, orphan, disability));
        }
        if (candidates.isEmpty()) {
            return;
        }
        checkAgainstDatabaseAndWrite(candidates, ctx);
    }

    /** @param home the household's village, else the region of the school the person is enrolled at */
    /** A registered person or enrolment met again: numbers by their blind index, the 学籍号 also masked. */
    private record Existing(String idIndex, String name, String studentNoIndex, String studentNoMasked,
                            String schoolCode, String home) {
    }

    /**
     * Whether an existing person or household (by its region) is the importer's to change: inside a region scope;
     * for a school, inside the school's county (a pupil the county knows may enrol there). Anyone else's is
     * neither changed nor described in the error.
     */
    private static boolean mine(ImportContext ctx, String region, String schoolCounty) {
        if (region == null) {
            return false;
        }
        var scope = ctx.user().scope();
        return scope.type() == Scope.Type.SCHOOL
                ? schoolCounty != null && region.startsWith(schoolCounty)
                : scope.containsRegion(region);
    }

    /** Checks a chunk against the database with a fixed number of queries, then writes it in batches. */
    private void checkAgainstDatabaseAndWrite(List<Student> candidates, ImportContext ctx) {
        Map<String, Existing> byId = new HashMap<>();
        Map<String, Existing> byNo = new HashMap<>();
        // The numbers are compared by their blind index (ADR 0011): computed once per row of the chunk.
        Map<String, String> idIndex = new HashMap<>();
        Map<String, String> noIndex = new HashMap<>();
        for (Student s : candidates) {
            idIndex.computeIfAbsent(s.id().value(), crypto::index);
            noIndex.computeIfAbsent(s.studentNo(), crypto::index);
        }
        var rowMapper = (RowMapper<Existing>) (rs, n) -> new Existing(
                rs.getString("id_index").strip(), rs.getString("name"), strip(rs.getString("student_no_index")),
                rs.getString("student_no_masked"), rs.getString("school_code"),
                rs.getString("region_code") != null ? rs.getString("region_code") : rs.getString("school_region_code"));
        String columns = "SELECT p.id_index, p.name, e.student_no_index, e.student_no_masked, e.school_code, "
                + "h.region_code, e.school_region_code ";
        jdbc.sql(columns + "FROM person p LEFT JOIN enrolment e ON e.person_id = p.id "
                        + "LEFT JOIN household h ON h.id = p.household_id WHERE p.id_index IN (:ids)")
                .param("ids", List.copyOf(new HashSet<>(idIndex.values())))
                .query(rowMapper).list().forEach(e -> byId.put(e.idIndex(), e));
        jdbc.sql(columns + "FROM enrolment e JOIN person p ON p.id = e.person_id "
                        + "LEFT JOIN household h ON h.id = p.household_id WHERE e.student_no_index IN (:nos)")
                .param("nos", List.copyOf(new HashSet<>(noIndex.values())))
                .query(rowMapper).list().forEach(e -> byNo.put(e.studentNoIndex(), e));
        String schoolCounty = ctx.user().scope().type() == Scope.Type.SCHOOL
                ? candidates.stream().map(c -> c.school().regionCode()).filter(Objects::nonNull)
                .map(r -> r.substring(0, 6)).findFirst().orElse(null) : null;
        Set<String> householdNos = new HashSet<>();
        List<String> wanted = candidates.stream().map(Student::householdNo).filter(Objects::nonNull)
                .distinct().toList();
        if (!wanted.isEmpty()) {
            // Only households the importer may attach pupils to count as existing: another county's number is
            // "not found", which says nothing about that county.
            jdbc.sql("SELECT household_no, region_code FROM household WHERE household_no IN (:n)")
                    .param("n", wanted).query(rs -> {
                        if (mine(ctx, rs.getString(2), schoolCounty)) {
                            householdNos.add(rs.getString(1));
                        }
                    });
        }
        boolean schoolUser = ctx.user().role() == Role.SCHOOL_OPERATOR;
        List<Student> ok = new ArrayList<>();
        for (Student s : candidates) {
            Existing sameNo = byNo.get(noIndex.get(s.studentNo()));
            Existing sameId = byId.get(idIndex.get(s.id().value()));
            if (sameId != null && !mine(ctx, sameId.home(), schoolCounty)
                    || sameNo != null && !mine(ctx, sameNo.home(), schoolCounty)) {
                ctx.reject(s.row(), "idNumber", "import.rule.personOutOfScope");
                continue;
            }
            if (sameNo != null && !sameNo.idIndex().equals(idIndex.get(s.id().value()))) {
                ctx.reject(s.row(), "studentNo", "import.rule.studentNoTaken");
            }
            if (sameId != null && sameId.studentNoIndex() != null
                    && !sameId.studentNoIndex().equals(noIndex.get(s.studentNo()))) {
                ctx.reject(s.row(), "idNumber", "import.rule.idHasOtherStudentNo", sameId.studentNoMasked());
            }
            if (sameId != null && sameId.studentNoIndex() == null && !sameId.name().equals(s.name())) {
                ctx.reject(s.row(), "name", "import.rule.nameMismatch", Masking.name(sameId.name()));
            }
            // Moving a student between schools is a transfer with its own workflow, not an import.
            if (schoolUser && sameNo != null && !sameNo.schoolCode().equals(s.school().code())) {
                ctx.reject(s.row(), "schoolCode", "import.rule.otherSchool");
            }
            if (s.householdNo() != null && !householdNos.contains(s.householdNo())) {
                ctx.reject(s.row(), "householdNo", "import.rule.householdMissing", s.householdNo());
            }
            if (!ctx.isRejected(s.row())) {
                ok.add(s);
            }
        }
        // The overview's counts of the schools a pupil joins or leaves (a pupil's old school, and through a person's
        // household the village it lives in) are recounted before the import commits.
        Set<String> touched = new HashSet<>();
        for (Student s : ok) {
            touched.add(s.school().code());
            Existing sameNo = byNo.get(noIndex.get(s.studentNo()));
            Existing sameId = byId.get(idIndex.get(s.id().value()));
            if (sameNo != null && sameNo.schoolCode() != null) {
                touched.add(sameNo.schoolCode());
            }
            if (sameId != null && sameId.schoolCode() != null) {
                touched.add(sameId.schoolCode());
            }
        }
        counts.touchSchools(touched);
        List<Student> newPersons = ok.stream().filter(s -> !byId.containsKey(idIndex.get(s.id().value()))).toList();
        List<Student> knownPersons = ok.stream().filter(s -> byId.containsKey(idIndex.get(s.id().value()))).toList();
        Timestamp now = Timestamp.from(Instant.now());
        String householdId = "(SELECT id FROM household WHERE household_no = ?)";
        batch.batchUpdate("INSERT INTO person (name, gender, birth_date, ethnicity, relation, left_behind, single_parent, "
                        + "orphan, disability, updated_at, household_id, id_index, id_masked) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " + householdId + ", ?, ?)",
                newPersons, 500, (ps, s) -> {
                    bindPerson(ps, s, now, idIndex.get(s.id().value()));
                    ps.setString(13, Masking.idNumber(s.id().value()));
                });
        // The sealed values in their side tables (V16), found by the indexes just written.
        batch.batchUpdate("INSERT INTO person_sealed (person_id, id_sealed) "
                        + "VALUES ((SELECT id FROM person WHERE id_index = ?), ?)",
                newPersons, 500, (ps, s) -> {
                    ps.setString(1, idIndex.get(s.id().value()));
                    ps.setString(2, crypto.seal(FieldCrypto.Kind.ID_NUMBER, s.id().value()));
                });
        batch.batchUpdate("UPDATE person SET name = ?, gender = ?, birth_date = ?, ethnicity = COALESCE(?, ethnicity), "
                        + "relation = COALESCE(?, relation), left_behind = ?, single_parent = ?, orphan = ?, "
                        + "disability = ?, updated_at = ?, household_id = COALESCE(" + householdId + ", household_id), "
                        + "version = version + 1 WHERE id_index = ?",
                knownPersons, 500, (ps, s) -> bindPerson(ps, s, now, idIndex.get(s.id().value())));
        // Enrolments: update by 学籍号 where it exists, else insert.
        List<Student> enrolUpdates = ok.stream().filter(s -> byNo.containsKey(noIndex.get(s.studentNo()))).toList();
        List<Student> enrolInserts = ok.stream().filter(s -> !byNo.containsKey(noIndex.get(s.studentNo()))).toList();
        batch.batchUpdate("UPDATE enrolment SET school_code = ?, school_region_code = ?, outside_county = ?, stage = ?, "
                        + "grade = ?, class_name = ?, boarding = ?, status = ?, updated_at = ?, version = version + 1 "
                        + "WHERE student_no_index = ?",
                enrolUpdates, 500, (ps, s) -> bindEnrolment(ps, s, now, noIndex.get(s.studentNo())));
        batch.batchUpdate("INSERT INTO enrolment (school_code, school_region_code, outside_county, stage, grade, "
                        + "class_name, boarding, status, updated_at, student_no_index, person_id, student_no_masked) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT id FROM person WHERE id_index = ?), ?)",
                enrolInserts, 500, (ps, s) -> {
                    bindEnrolment(ps, s, now, noIndex.get(s.studentNo()));
                    ps.setString(11, idIndex.get(s.id().value()));
                    ps.setString(12, Masking.studentNo(s.studentNo()));
                });
        batch.batchUpdate("INSERT INTO enrolment_sealed (enrolment_id, student_no_sealed) "
                        + "VALUES ((SELECT id FROM enrolment WHERE student_no_index = ?), ?)",
                enrolInserts, 500, (ps, s) -> {
                    ps.setString(1, noIndex.get(s.studentNo()));
                    ps.setString(2, crypto.seal(FieldCrypto.Kind.STUDENT_NO, s.studentNo()));
                });
    }

    private static String strip(String s) {
        return s == null ? null : s.strip();
    }

    private static void bindPerson(PreparedStatement ps, Student s, Timestamp now, String idIndex) throws SQLException {
        ps.setString(1, s.name());
        ps.setString(2, s.id().gender().name());
        ps.setDate(3, Date.valueOf(s.id().birthDate()));
        ps.setString(4, s.ethnicity());
        ps.setString(5, s.relation());
        ps.setBoolean(6, s.leftBehind());
        ps.setBoolean(7, s.singleParent());
        ps.setBoolean(8, s.orphan());
        ps.setBoolean(9, s.disability());
        ps.setTimestamp(10, now);
        ps.setString(11, s.householdNo());
        ps.setString(12, idIndex);
    }

    private static void bindEnrolment(PreparedStatement ps, Student s, Timestamp now, String noIndex)
            throws SQLException {
        ps.setString(1, s.school().code());
        ps.setString(2, s.school().regionCode());
        ps.setBoolean(3, s.school().outOfCounty());
        ps.setString(4, s.stage().name());
        ps.setObject(5, s.grade(), Types.INTEGER);
        ps.setString(6, s.className());
        ps.setBoolean(7, s.boarding());
        ps.setString(8, s.status().name());
        ps.setTimestamp(9, now);
        ps.setString(10, noIndex);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
