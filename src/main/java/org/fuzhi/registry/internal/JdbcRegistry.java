package org.fuzhi.registry.internal;

import java.io.OutputStream;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.fuzhi.common.Gender;
import org.fuzhi.common.IdNumber;
import org.fuzhi.common.Masking;
import org.fuzhi.common.Page;
import org.fuzhi.common.RegionCode;
import org.fuzhi.common.Stage;
import org.fuzhi.platform.AuditLog;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Privacy;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.ScopeFilter;
import org.fuzhi.platform.StaleEditException;
import org.fuzhi.platform.Xlsx;
import org.fuzhi.region.Directory;
import org.fuzhi.region.SchoolView;
import org.fuzhi.registry.EnrolmentStatus;
import org.fuzhi.registry.HouseholdView;
import org.fuzhi.registry.PovertyCategory;
import org.fuzhi.registry.Registry;
import org.fuzhi.registry.StudentView;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;

@Service
@Transactional(readOnly = true)
class JdbcRegistry implements Registry {

    private static final String STUDENT_FROM = """
            FROM enrolment e JOIN person p ON p.id = e.person_id LEFT JOIN household h ON h.id = p.household_id
            LEFT JOIN person_poverty_status ps ON ps.person_id = p.id""";
    private static final String STUDENT_COLUMNS = """
            SELECT e.id, e.student_no_masked, e.school_code, e.stage, e.grade, e.class_name,
                   e.boarding, e.status, e.outside_county, e.version, p.name, p.id_masked, p.gender, p.birth_date, p.ethnicity, p.relation,
                   p.disability, p.left_behind, p.single_parent, p.orphan, p.household_id,
                   ps.category AS roster_category, h.household_no, h.region_code AS household_region, h.poverty_category
            """;
    private static final String STUDENT_SELECT = STUDENT_COLUMNS + STUDENT_FROM;

    private final JdbcClient jdbc;
    private final Directory directory;
    private final AuditLog audit;
    private final StudentExport export;
    private final MessageSource messages;
    private final JdbcTemplate batchTemplate;
    private final FieldCrypto crypto;
    private final KeptCounts counts;
    /** How far a search's matches are counted (see {@link #students}). */
    @Value("${fuzhi.registry.search-count-cap:10000}")
    private long searchCountCap = 10_000;

    JdbcRegistry(JdbcClient jdbc, Directory directory, AuditLog audit, StudentExport export,
                 MessageSource messages,
                 JdbcTemplate batchTemplate, FieldCrypto crypto, KeptCounts counts) {
        this.counts = counts;
        this.crypto = crypto;
        this.messages = messages;
        this.batchTemplate = batchTemplate;
        this.jdbc = jdbc;
        this.directory = directory;
        this.audit = audit;
        this.export = export;
    }

    /**
     * Persons of an area as record linkage sees them: those whose household lives there, and
     * those with no household record who are taught there. (Joins {@code h} household and {@code e} enrolment.)
     */
    static ScopeFilter residence(Scope scope) {
        ScopeFilter home = ScopeFilter.of(scope, null, "h.region_code");
        ScopeFilter taught = ScopeFilter.of(scope, null, "e.school_region_code");
        Map<String, Object> params = new HashMap<>(home.params());
        params.putAll(taught.params());
        return new ScopeFilter("(" + home.sql() + " OR (h.id IS NULL AND " + taught.sql() + "))", params);
    }

    static ScopeFilter studentScope(Scope scope) {
        return ScopeFilter.children(scope, "e.school_code", "e.school_region_code", "h.region_code");
    }

    /** School names come from the region module; one look-up per school per request. */
    private final class SchoolNames {
        private final Map<String, String> names = new HashMap<>();

        String of(String code) {
            return names.computeIfAbsent(code, c -> directory.school(c).map(SchoolView::name).orElse(c));
        }
    }

    private static StudentView student(ResultSet rs, SchoolNames names) throws SQLException {
        String category = rs.getString("poverty_category");
        long hid = rs.getLong("household_id");
        return new StudentView(rs.getLong("id"), rs.getString("student_no_masked"), rs.getString("name"),
                rs.getString("id_masked").strip(), Gender.valueOf(rs.getString("gender")),
                rs.getDate("birth_date").toLocalDate(), rs.getString("ethnicity"), rs.getString("school_code"),
                names.of(rs.getString("school_code")), Stage.valueOf(rs.getString("stage")),
                (Integer) rs.getObject("grade"), rs.getString("class_name"), rs.getBoolean("boarding"),
                EnrolmentStatus.valueOf(rs.getString("status")), rs.getBoolean("outside_county"),
                hid == 0 ? null : hid, rs.getString("household_no"),
                rs.getString("household_region"), category == null ? null : PovertyCategory.valueOf(category),
                rs.getString("roster_category") != null, rs.getString("relation"), rs.getBoolean("disability"),
                rs.getBoolean("left_behind"), rs.getBoolean("single_parent"), rs.getBoolean("orphan"),
                rs.getInt("version"));
    }

    private record Where(String sql, Map<String, Object> params) {
    }

    private Where studentWhere(Scope scope, StudentQuery q) {
        ScopeFilter f = studentScope(scope);
        StringBuilder sb = new StringBuilder(" WHERE ").append(f.sql());
        Map<String, Object> p = new HashMap<>(f.params());
        searchCondition(q.search(), "p.name", sb, p, switch (q.search() == null ? Privacy.SearchKind.NONE
                : q.search().kind()) {
            // Exact numbers are found by their blind index, masked forms by the masked column (ADR 0011).
            case ID_NUMBER -> "p.id_index = :exactIndex";
            case STUDENT_NO -> "e.student_no_index = :exactIndex";
            case MASKED_ID -> "p.id_masked = :masked";
            // Two look-ups by index (a name's prefix, a class's exact name) joined by id: an OR across the two
            // tables would make the database join the whole scope and filter it.
            case NAME -> "e.id IN (SELECT ne.id FROM person np JOIN enrolment ne ON ne.person_id = np.id "
                    + "WHERE np.name LIKE :prefix ESCAPE '\\' UNION SELECT ce.id FROM enrolment ce "
                    + "WHERE ce.class_name = :exact)";
            case CLASS -> "e.class_name = :exact";
            default -> null;
        });
        indexSearch(q.search(), p);
        if (q.schoolCode() != null && !q.schoolCode().isBlank()) {
            sb.append(" AND e.school_code = :school");
            p.put("school", q.schoolCode().strip());
        }
        if (q.stage() != null && !q.stage().isBlank()) {
            sb.append(" AND e.stage = :stage");
            p.put("stage", Stage.valueOf(q.stage()).name());
        }
        if (q.status() != null && !q.status().isBlank()) {
            sb.append(" AND e.status = :status");
            p.put("status", EnrolmentStatus.valueOf(q.status()).name());
        }
        if (q.registeredPoor() != null) {
            sb.append(q.registeredPoor() ? " AND ps.category IS NOT NULL" : " AND ps.category IS NULL");
        }
        return new Where(sb.toString(), p);
    }

    @Override
    public Page<StudentView> students(Scope scope, StudentQuery q, int page, int size) {
        Where w = studentWhere(scope, q);
        boolean searching = q.search() != null && q.search().kind() != Privacy.SearchKind.NONE;
        // Without a text search every filter is a column of the kept counts: the total is a sum of a few cells, not a
        // count of the scope's enrolments on every page.
        long total;
        boolean capped = false;
        if (searching) {
            // A search is counted only up to a bound: a common surname matches hundreds of thousands of a province's
            // pupils, and counting them all cost seconds per page. Nobody pages through more than the bound; the page
            // says there are more and asks for a narrower search.
            long n = jdbc.sql("SELECT COUNT(*) FROM (SELECT 1 AS one " + STUDENT_FROM + w.sql() + " LIMIT :cap) t")
                    .params(w.params()).param("cap", searchCountCap + 1).query(Long.class).single();
            capped = n > searchCountCap;
            total = Math.min(n, searchCountCap);
        } else {
            total = counts.listTotal(scope, (String) w.params().get("school"), (String) w.params().get("stage"),
                    (String) w.params().get("status"), q.registeredPoor());
        }
        // A link to a page past the end (the list shrank since) shows the last page instead of an empty one.
        int shown = Page.clamp(page, total, size);
        long offset = (long) shown * size;
        String order = studentOrder(q.sort());
        // A bounded list stops at its bound, as its pager says.
        long limit = capped ? Math.min(size, total - offset) : size;
        // A page in the list's second half is read from its end, in the reverse order, so the last page costs what the
        // first does (the database walks the list's index from the other end instead of skipping the whole scope).
        // (Not when the total is a bound: its "end" is not the list's.)
        boolean fromEnd = !capped && offset > total / 2;
        if (fromEnd) {
            long fromTheEnd = total - offset - size;
            limit = fromTheEnd < 0 ? size + fromTheEnd : size;
            offset = Math.max(0, fromTheEnd);
            order = reversed(order);
        }
        Map<String, Object> p = new HashMap<>(w.params());
        p.put("lim", Math.max(0, limit));
        p.put("off", offset);
        SchoolNames names = new SchoolNames();
        List<StudentView> items = new ArrayList<>(jdbc.sql(STUDENT_SELECT + w.sql() + " ORDER BY " + order + " "
                + "LIMIT :lim OFFSET :off").params(p).query((rs, n) -> student(rs, names)).list());
        if (fromEnd) {
            Collections.reverse(items);
        }
        return new Page<>(items, total, shown, size, capped);
    }

    /** The same order backwards; nulls sort high both ways on both databases, so the reverse is exact. */
    static String reversed(String order) {
        return Arrays.stream(order.split(", "))
                .map(term -> term.endsWith(" DESC") ? term.substring(0, term.length() - 5) : term + " DESC")
                .collect(Collectors.joining(", "));
    }

    /** Only these columns sort (never a user's text in SQL); the id last so pages never overlap. */
    private static String studentOrder(String sort) {
        if (sort == null || sort.isBlank()) {
            return "e.school_code, e.grade, e.class_name, e.id";
        }
        boolean desc = sort.startsWith("-");
        String column = switch (desc ? sort.substring(1) : sort) {
            case "name" -> "p.name";
            case "school" -> "e.school_code";
            case "grade" -> "e.stage, e.grade";
            case "status" -> "e.status";
            default -> null;
        };
        if (column == null) {
            return "e.school_code, e.grade, e.class_name, e.id";
        }
        String dir = desc ? " DESC" : "";
        return Arrays.stream(column.split(", ")).map(c -> c + dir)
                .collect(Collectors.joining(", ")) + ", e.id" + dir;
    }

    @Override
    public void forEachStudent(Scope scope, StudentQuery q, Consumer<StudentView> consumer) {
        Where w = studentWhere(scope, q);
        SchoolNames names = new SchoolNames();
        jdbc.sql(STUDENT_SELECT + w.sql() + " ORDER BY e.school_code, e.grade, e.class_name, e.id")
                .withFetchSize(1000).params(w.params()).query(rs -> {
                    consumer.accept(student(rs, names));
                });
    }

    /** A student row with its raw ID and 学籍号, for exports that may unmask; never leaves the module. */
    interface RawStudentConsumer {
        void accept(StudentView student, String rawIdNumber, String rawStudentNo);
    }

    void forEachStudentRaw(Scope scope, StudentQuery q, RawStudentConsumer consumer) {
        Where w = studentWhere(scope, q);
        SchoolNames names = new SchoolNames();
        // The sealed values live in side tables (V16): joined only here, for an unmasked export.
        jdbc.sql(STUDENT_COLUMNS + ", s.id_sealed, es.student_no_sealed " + STUDENT_FROM
                        + " JOIN person_sealed s ON s.person_id = p.id JOIN enrolment_sealed es ON es.enrolment_id = e.id"
                        + w.sql() + " ORDER BY e.school_code, e.grade, e.class_name, e.id")
                .withFetchSize(1000).params(w.params()).query(rs -> {
                    consumer.accept(student(rs, names), crypto.open(FieldCrypto.Kind.ID_NUMBER, rs.getString("id_sealed")),
                            crypto.open(FieldCrypto.Kind.STUDENT_NO, rs.getString("student_no_sealed")));
                });
    }

    @Override
    @Transactional
    public long exportStudents(CurrentUser user, StudentQuery query, boolean unmask,
                               OutputStream out, Locale locale) {
        return export.export(this, user, query, unmask, out, locale);
    }

    private static final String PERSON_REF_SELECT = """
            SELECT p.id, p.id_index, s.id_sealed, p.name, p.gender, p.birth_date, h.region_code, e.id AS eid,
                   e.school_code, h.household_no
            FROM person p JOIN person_sealed s ON s.person_id = p.id LEFT JOIN household h ON h.id = p.household_id
            LEFT JOIN enrolment e ON e.person_id = p.id
            """;

    private PersonRef personRef(ResultSet rs) throws SQLException {
        long eid = rs.getLong("eid");
        boolean enrolled = !rs.wasNull();
        return new PersonRef(rs.getLong("id"), crypto.lazy(FieldCrypto.Kind.ID_NUMBER, rs.getString("id_sealed")),
                rs.getString("name"),
                Gender.valueOf(rs.getString("gender")), rs.getDate("birth_date").toLocalDate(),
                rs.getString("region_code"), enrolled ? eid : null, rs.getString("school_code"),
                rs.getString("household_no"));
    }

    @Override
    public Map<String, PersonRef> personsByIdIndex(Collection<String> idIndexes) {
        Map<String, PersonRef> out = new HashMap<>();
        List<String> ids = List.copyOf(idIndexes);
        for (int i = 0; i < ids.size(); i += 1000) {
            jdbc.sql(PERSON_REF_SELECT + " WHERE p.id_index IN (:ids)")
                    .param("ids", ids.subList(i, Math.min(ids.size(), i + 1000))).query(rs -> {
                        out.put(rs.getString("id_index").strip(), personRef(rs));
                    });
        }
        return out;
    }

    @Override
    public Map<String, Long> personIdsByIdIndex(Collection<String> idIndexes) {
        Map<String, Long> out = new HashMap<>();
        List<String> ids = List.copyOf(idIndexes);
        for (int i = 0; i < ids.size(); i += 5000) {
            jdbc.sql("SELECT id_index, id FROM person WHERE id_index IN (:ids)")
                    .param("ids", ids.subList(i, Math.min(ids.size(), i + 5000))).query(rs -> {
                        out.put(rs.getString(1), rs.getLong(2));
                    });
        }
        return out;
    }

    @Override
    public Map<Long, PersonLabel> personLabels(Collection<Long> personIds) {
        Map<Long, PersonLabel> out = new HashMap<>();
        List<Long> ids = List.copyOf(new HashSet<>(personIds));
        for (int i = 0; i < ids.size(); i += 1000) {
            jdbc.sql("SELECT p.id, p.name, p.id_masked, p.birth_date, h.region_code, "
                            + "(SELECT MIN(e.id) FROM enrolment e WHERE e.person_id = p.id) AS eid FROM person p "
                            + "LEFT JOIN household h ON h.id = p.household_id WHERE p.id IN (:ids)")
                    .param("ids", ids.subList(i, Math.min(ids.size(), i + 1000))).query(rs -> {
                        long eid = rs.getLong(6);
                        out.put(rs.getLong(1), new PersonLabel(rs.getLong(1), rs.getString(2), rs.getString(3).strip(),
                                rs.getDate(4).toLocalDate(), rs.getString(5), rs.wasNull() ? null : eid));
                    });
        }
        return out;
    }

    @Override
    public Map<String, IdOwner> idOwnersByIndex(Collection<String> idIndexes) {
        Map<String, IdOwner> out = new HashMap<>();
        List<String> ids = List.copyOf(idIndexes);
        for (int i = 0; i < ids.size(); i += 5000) {
            jdbc.sql("SELECT p.id_index, p.id, p.name, p.gender, p.birth_date, h.household_no FROM person p "
                            + "LEFT JOIN household h ON h.id = p.household_id WHERE p.id_index IN (:ids)")
                    .param("ids", ids.subList(i, Math.min(ids.size(), i + 5000))).query(rs -> {
                        out.put(rs.getString(1).strip(), new IdOwner(rs.getLong(2), rs.getString(3),
                                Gender.valueOf(rs.getString(4)), rs.getDate(5).toLocalDate(), rs.getString(6)));
                    });
        }
        return out;
    }

    @Override
    public Map<String, PersonHousehold> householdsByIdIndex(Collection<String> idIndexes) {
        Map<String, PersonHousehold> out = new HashMap<>();
        List<String> ids = List.copyOf(idIndexes);
        for (int i = 0; i < ids.size(); i += 1000) {
            jdbc.sql("SELECT id_index, id, household_id FROM person WHERE id_index IN (:ids)")
                    .param("ids", ids.subList(i, Math.min(ids.size(), i + 1000))).query(rs -> {
                        long hid = rs.getLong(3);
                        out.put(rs.getString(1), new PersonHousehold(rs.getLong(2), rs.wasNull() ? null : hid));
                    });
        }
        return out;
    }

    @Override
    public Map<Long, EnrolmentStatus> enrolmentStatusOf(Collection<Long> personIds) {
        Map<Long, EnrolmentStatus> out = new HashMap<>();
        List<Long> ids = List.copyOf(personIds);
        for (int i = 0; i < ids.size(); i += 1000) {
            jdbc.sql("SELECT person_id, status FROM enrolment WHERE person_id IN (:ids)")
                    .param("ids", ids.subList(i, Math.min(ids.size(), i + 1000))).query(rs -> {
                        out.put(rs.getLong(1), EnrolmentStatus.valueOf(rs.getString(2)));
                    });
        }
        return out;
    }

    @Override
    public Map<Long, CurrentEnrolment> currentEnrolments(Collection<Long> personIds) {
        Map<Long, CurrentEnrolment> out = new HashMap<>();
        List<Long> ids = List.copyOf(personIds);
        for (int i = 0; i < ids.size(); i += 1000) {
            jdbc.sql("SELECT e.person_id, e.id, e.school_code, e.school_region_code, e.stage, e.grade, e.boarding, "
                            + "e.status, e.outside_county, h.region_code FROM enrolment e JOIN person p ON p.id = e.person_id "
                            + "LEFT JOIN household h ON h.id = p.household_id WHERE e.person_id IN (:ids)")
                    .param("ids", ids.subList(i, Math.min(ids.size(), i + 1000))).query(rs -> {
                        out.put(rs.getLong(1), new CurrentEnrolment(rs.getLong(1), rs.getLong(2), rs.getString(3),
                                rs.getString(4), Stage.valueOf(rs.getString(5)),
                                (Integer) rs.getObject(6, Integer.class), rs.getBoolean(7),
                                EnrolmentStatus.valueOf(rs.getString(8)), rs.getBoolean(9), rs.getString(10)));
                    });
        }
        return out;
    }

    @Override
    public List<PersonRef> personsLivingIn(Collection<String> regionCodes) {
        List<PersonRef> out = new ArrayList<>();
        List<String> codes = List.copyOf(regionCodes);
        for (int i = 0; i < codes.size(); i += 500) {
            out.addAll(jdbc.sql(PERSON_REF_SELECT + " WHERE h.region_code IN (:r)")
                    .param("r", codes.subList(i, Math.min(codes.size(), i + 500)))
                    .query((rs, n) -> personRef(rs)).list());
        }
        return out;
    }

    @Override
    public void forEachPersonOfArea(String regionCode, Consumer<PersonRef> consumer) {
        // Code ranges rather than LIKE: a B-tree serves a range under any collation.
        String prefix = new RegionCode(regionCode).prefix();
        // No enrolment: linkage compares persons, and joining a province's 10M enrolments to its 11M persons
        // doubled the read (13 s against 6 s). Streamed in the order of the region index.
        streaming(() -> jdbc.sql("""
                SELECT p.id, s.id_sealed, p.name, p.gender, p.birth_date, h.region_code, NULL AS eid, NULL AS school_code,
                       h.household_no
                FROM household h JOIN person p ON p.household_id = h.id JOIN person_sealed s ON s.person_id = p.id
                WHERE h.region_code BETWEEN :lo AND :hi ORDER BY h.region_code""")
                .param("lo", (prefix + "000000000000").substring(0, 12))
                .param("hi", (prefix + "999999999999").substring(0, 12)).withFetchSize(5000)
                .query(rs -> {
                    consumer.accept(personRef(rs));
                }));
    }

    @Override
    public List<PersonRef> personsBornOn(Scope area, Collection<LocalDate> dates) {
        if (dates.isEmpty()) {
            return List.of();
        }
        ScopeFilter f = residence(area);
        return jdbc.sql(PERSON_REF_SELECT + " WHERE p.birth_date IN (:d) AND " + f.sql()).params(f.params())
                .param("d", dates.stream().map(Date::valueOf).toList())
                .query((rs, n) -> personRef(rs)).list();
    }

    @Override
    public void forEachAssessmentSubject(Scope scope, Consumer<AssessmentSubject> consumer) {
        assessmentSubjects(scope).forEach(0, 1, consumer);
    }

    @Override
    public AssessmentSubjects assessmentSubjects(Scope scope) {
        // Household sizes in one grouped pass: H2 re-runs a joined or correlated COUNT for every student. Read once
        // for all parts: over a province's 11M persons the grouping is seconds, and parallel parts would repeat it.
        Map<Long, Long> members = new HashMap<>();
        jdbc.sql("SELECT household_id, COUNT(*) AS n FROM person WHERE household_id IS NOT NULL GROUP BY household_id")
                .query(rs -> {
                    members.put(rs.getLong(1), rs.getLong(2));
                });
        // Parts are ranges of person IDs (the persons' order on disk and in their indexes), split evenly between
        // the lowest and highest enrolled person: each part then reads only its own share of both tables.
        long[] span = jdbc.sql("SELECT MIN(person_id), MAX(person_id) FROM enrolment")
                .query((rs, n) -> new long[]{rs.getLong(1), rs.getLong(2)}).single();
        return (slice, slices, consumer) -> {
            if (slices < 1 || slice < 0 || slice >= slices) {
                throw new IllegalArgumentException("slice " + slice + " of " + slices);
            }
            long width = span[1] - span[0] + 1;
            long lo = span[0] + width * slice / slices;
            long hi = span[0] + width * (slice + 1) / slices - 1;
            forEachAssessmentSubject(scope, members, lo, hi, consumer);
        };
    }

    private volatile Boolean postgres;

    /**
     * Runs a long read with a plan that hands over its rows as they are produced, so that the consumer's work in
     * Java overlaps with the database's instead of following it: on PostgreSQL no hash joins and no sorts for the
     * statement (settings local to the transaction, restored after). H2 streams its index-driven plans already.
     */
    private void streaming(Runnable read) {
        boolean set = postgres() && TransactionSynchronizationManager
                .isActualTransactionActive();
        if (set) {
            jdbc.sql("SET LOCAL enable_hashjoin = off").update();
            jdbc.sql("SET LOCAL enable_sort = off").update();
            // Compiling the plan to machine code took 0.3 s per part of a province and gains nothing on a plan that
            // spends its time waiting for pages.
            jdbc.sql("SET LOCAL jit = off").update();
        }
        try {
            read.run();
        } finally {
            if (set) {
                jdbc.sql("SET LOCAL enable_hashjoin TO DEFAULT").update();
                jdbc.sql("SET LOCAL enable_sort TO DEFAULT").update();
                jdbc.sql("SET LOCAL jit TO DEFAULT").update();
            }
        }
    }

    private boolean postgres() {
        if (postgres == null) {
            postgres = batchTemplate.execute((ConnectionCallback<Boolean>) c ->
                    c.getMetaData().getDatabaseProductName().startsWith("PostgreSQL"));
        }
        return postgres;
    }

    private void forEachAssessmentSubject(Scope scope, Map<Long, Long> members, long lo, long hi,
                                          Consumer<AssessmentSubject> consumer) {
        ScopeFilter f = studentScope(scope);
        // No ORDER BY: consumers aggregate or write entries keyed by student, and sorting 10M rows of a province
        // would cost more than reading them.
        // Streamed: left to itself PostgreSQL hashes half of a province's enrolments (or sorts them by household)
        // before the first row leaves, and the application then waited ~25 s and the database ~25 s after. Merge
        // joins along the person keys and a household look-up per row read a half in 13 s against 17-23 s.
        // Columns are read by position: by name, the driver's case-insensitive name look-up was a tenth of the
        // province round's Java time (20 columns × 10M rows).
        streaming(() -> jdbc.sql("""
                SELECT e.id, e.stage, e.grade, e.boarding, p.disability, p.left_behind, p.single_parent, p.orphan,
                       p.id AS pid, p.name, ps.category AS roster_category, e.school_code, e.school_region_code,
                       e.outside_county, h.region_code AS household_region, h.id AS hid, h.poverty_category,
                       h.on_roster, h.income_per_head, h.housing_safe
                """ + STUDENT_FROM + " WHERE e.status = 'IN_SCHOOL' AND " + f.sql()
                        // Both sides bounded: PostgreSQL does not carry a range across a join condition.
                        + " AND e.person_id BETWEEN :lo AND :hi AND p.id BETWEEN :lo AND :hi")
                .withFetchSize(5000).params(f.params()).param("lo", lo).param("hi", hi).query(rs -> {
                    // Sized for the registry's attributes plus the department lists added later: no rehashing.
                    Map<String, Object> v = new HashMap<>(32);
                    Stage stage = Stage.valueOf(rs.getString(2));
                    Integer grade = rs.getObject(3, Integer.class);
                    v.put("student.stage", stage.name());
                    v.put("student.grade", grade);
                    v.put("student.boarding", rs.getBoolean(4));
                    v.put("student.disability", rs.getBoolean(5));
                    v.put("student.leftBehind", rs.getBoolean(6));
                    v.put("student.singleParent", rs.getBoolean(7));
                    v.put("student.orphan", rs.getBoolean(8));
                    long householdId = rs.getLong(16);
                    boolean hasHousehold = !rs.wasNull();
                    String category = rs.getString(17);
                    v.put("household.category", category);
                    v.put("household.onRoster", hasHousehold ? rs.getBoolean(18) : null);
                    v.put("household.incomePerHead", rs.getBigDecimal(19));
                    v.put("household.housingSafe", hasHousehold ? (Boolean) rs.getObject(20) : null);
                    v.put("household.members", hasHousehold ? members.getOrDefault(householdId, 0L) : null);
                    var placement = new Placement(rs.getLong(9), hasHousehold ? householdId : null, rs.getString(10),
                            rs.getString(15), rs.getString(12), rs.getString(13), rs.getBoolean(14), stage.name(),
                            grade, rs.getString(11));
                    consumer.accept(new AssessmentSubject(rs.getLong(1), stage.statGroup().name(), category, v,
                            placement));
                }));
    }

    @Override
    public Optional<StudentView> student(Scope scope, long id) {
        boolean exists = jdbc.sql("SELECT COUNT(*) FROM enrolment WHERE id = :id").param("id", id)
                .query(Long.class).single() > 0;
        if (!exists) {
            return Optional.empty();
        }
        ScopeFilter f = studentScope(scope);
        var found = jdbc.sql(STUDENT_SELECT + " WHERE e.id = :id AND " + f.sql()).params(f.params()).param("id", id)
                .query((rs, n) -> student(rs, new SchoolNames())).optional();
        if (found.isEmpty()) {
            throw new AccessDeniedException("student outside scope");
        }
        return found;
    }

    @Override
    public Map<Long, StudentView> studentsIn(Scope scope, Collection<Long> ids) {
        Map<Long, StudentView> out = new HashMap<>();
        List<Long> all = List.copyOf(new LinkedHashSet<>(ids));
        ScopeFilter f = studentScope(scope);
        SchoolNames names = new SchoolNames();
        for (int i = 0; i < all.size(); i += 1000) {
            jdbc.sql(STUDENT_SELECT + " WHERE e.id IN (:ids) AND " + f.sql()).params(f.params())
                    .param("ids", all.subList(i, Math.min(all.size(), i + 1000)))
                    .query((rs, n) -> student(rs, names)).list().forEach(v -> out.put(v.id(), v));
        }
        return out;
    }

    @Override
    @Transactional
    public String unmaskIdNumber(Scope scope, long studentId) {
        student(scope, studentId).orElseThrow(() -> new NotFoundException("student"));
        String id = crypto.open(FieldCrypto.Kind.ID_NUMBER, jdbc.sql(
                        "SELECT s.id_sealed FROM enrolment e JOIN person_sealed s ON s.person_id = e.person_id "
                                + "WHERE e.id = :id")
                .param("id", studentId).query(String.class).single());
        audit.record("UNMASK_ID_NUMBER", "student", String.valueOf(studentId), Map.of("field", "idNumber"));
        return id;
    }

    @Override
    @Transactional
    public void updateStudent(Scope scope, long id, int expectedVersion, StudentEdit edit) {
        StudentView before = student(scope, id).orElseThrow(() -> new NotFoundException("student"));
        Instant now = Instant.now();
        int n = jdbc.sql("""
                UPDATE enrolment SET grade = :grade, class_name = :cls, boarding = :boarding, status = :status,
                       version = version + 1, updated_at = :now
                WHERE id = :id AND version = :v""")
                .param("grade", edit.grade()).param("cls", blankToNull(edit.className()))
                .param("boarding", edit.boarding()).param("status", edit.status().name())
                .param("now", Timestamp.from(now)).param("id", id).param("v", expectedVersion).update();
        if (n == 0) {
            throw new StaleEditException("student " + id);
        }
        counts.touchSchools(List.of(before.schoolCode()));
        jdbc.sql("""
                UPDATE person SET name = :name, ethnicity = :eth, left_behind = :lb, single_parent = :sp,
                       orphan = :orphan, disability = :dis, version = version + 1, updated_at = :now
                WHERE id = (SELECT person_id FROM enrolment WHERE id = :id)""")
                .param("name", edit.name().strip()).param("eth", blankToNull(edit.ethnicity()))
                .param("lb", edit.leftBehind()).param("sp", edit.singleParent()).param("orphan", edit.orphan())
                .param("dis", edit.disability()).param("now", Timestamp.from(now)).param("id", id).update();
        Map<String, Object> details = new LinkedHashMap<>();
        diff(details, "name", Masking.name(before.name()), Masking.name(edit.name().strip()));
        diff(details, "ethnicity", before.ethnicity(), blankToNull(edit.ethnicity()));
        diff(details, "grade", before.grade(), edit.grade());
        diff(details, "className", before.className(), blankToNull(edit.className()));
        diff(details, "boarding", before.boarding(), edit.boarding());
        diff(details, "status", before.status(), edit.status());
        diff(details, "leftBehind", before.leftBehind(), edit.leftBehind());
        diff(details, "singleParent", before.singleParent(), edit.singleParent());
        diff(details, "orphan", before.orphan(), edit.orphan());
        // Health and disability are sensitive: record that it changed, not the values.
        if (before.disability() != edit.disability()) {
            details.put("disability", "changed");
        }
        audit.record("STUDENT_UPDATE", "student", String.valueOf(id), details);
    }

    @Override
    @Transactional
    public void updateHousehold(Scope scope, long id, int expectedVersion, HouseholdEdit edit) {
        HouseholdView before = household(scope, id).orElseThrow(() -> new NotFoundException("household"));
        int n = jdbc.sql("""
                UPDATE household SET head_name = :head, poverty_category = :cat, on_roster = :roster,
                       identified_year = :iy, exited_year = :ey, income_per_head = :income, housing_safe = :safe,
                       version = version + 1, updated_at = :now
                WHERE id = :id AND version = :v""")
                .param("head", edit.headName().strip())
                .param("cat", edit.category() == null ? null : edit.category().name())
                .param("roster", edit.category() != null && edit.category().onRoster())
                .param("iy", edit.identifiedYear()).param("ey", edit.exitedYear())
                .param("income", edit.incomePerHead() == null ? null
                        : edit.incomePerHead().setScale(2, RoundingMode.HALF_UP))
                .param("safe", edit.housingSafe()).param("now", Timestamp.from(Instant.now()))
                .param("id", id).param("v", expectedVersion).update();
        if (n == 0) {
            throw new StaleEditException("household " + id);
        }
        counts.touchVillages(List.of(before.regionCode()));
        Map<String, Object> details = new LinkedHashMap<>();
        diff(details, "headName", Masking.name(before.headName()), Masking.name(edit.headName().strip()));
        diff(details, "category", before.povertyCategory(), edit.category());
        diff(details, "identifiedYear", before.identifiedYear(), edit.identifiedYear());
        diff(details, "exitedYear", before.exitedYear(), edit.exitedYear());
        diff(details, "incomePerHead", before.incomePerHead(), edit.incomePerHead());
        diff(details, "housingSafe", before.housingSafe(), edit.housingSafe());
        audit.record("HOUSEHOLD_UPDATE", "household", String.valueOf(id), details);
    }

    private static void diff(Map<String, Object> details, String field, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            details.put(field, before + " → " + after);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    static ScopeFilter householdScope(Scope scope) {
        // A school user sees the households of its own students.
        return scope.type() == Scope.Type.SCHOOL
                ? new ScopeFilter("EXISTS (SELECT 1 FROM person sp JOIN enrolment se ON se.person_id = sp.id "
                + "WHERE sp.household_id = h.id AND se.school_code = :scopeSchool)", Map.of("scopeSchool", scope.code()))
                : ScopeFilter.of(scope, null, "h.region_code");
    }

    /**
     * Appends the search box's condition: {@code condition} for the kinds the caller handles, the masked-name
     * match on {@code nameColumn}, or nothing found for a refused search. Every user-typed value is bound, and
     * LIKE patterns match {@code %} and {@code _} literally.
     */
    /** The blind index of an exact number searched for, and the masked form of a masked one. */
    private void indexSearch(Privacy.Search search, Map<String, Object> p) {
        if (search == null) {
            return;
        }
        switch (search.kind()) {
            case ID_NUMBER, STUDENT_NO -> p.put("exactIndex", crypto.index(search.value()));
            case MASKED_ID -> p.put("masked", search.first() + "*".repeat(10) + search.last());
            default -> {
            }
        }
    }

    private static void searchCondition(Privacy.Search search, String nameColumn, StringBuilder sql,
                                        Map<String, Object> p, String condition) {
        if (search == null || search.kind() == Privacy.SearchKind.NONE) {
            return;
        }
        switch (search.kind()) {
            case MASKED_NAME -> {
                sql.append(" AND ").append(nameColumn).append(" LIKE :first ESCAPE '\\' AND ").append(nameColumn)
                        .append(" LIKE :last ESCAPE '\\' AND CHAR_LENGTH(").append(nameColumn).append(") = :length");
                p.put("first", Privacy.literalLike(search.first()) + "%");
                p.put("last", "%" + Privacy.literalLike(search.last()));
                p.put("length", search.length());
                return;
            }
            case MASKED_ID -> {
                p.put("first", search.first() + "%");
                p.put("last", "%" + search.last());
            }
            case REFUSED -> {
                sql.append(" AND 1=0");
                return;
            }
            default -> {
                p.put("exact", search.value());
                p.put("prefix", search.value() == null ? null : Privacy.literalLike(search.value()) + "%");
            }
        }
        sql.append(" AND ").append(condition == null ? "1=0" : condition);
    }

    private Where householdWhere(Scope scope, HouseholdQuery q) {
        ScopeFilter f = householdScope(scope);
        StringBuilder where = new StringBuilder(" WHERE ").append(f.sql());
        Map<String, Object> p = new HashMap<>(f.params());
        searchCondition(q.search(), "h.head_name", where, p, switch (q.search() == null ? Privacy.SearchKind.NONE
                : q.search().kind()) {
            // A household is found by its head's name or its number; ID numbers and classes belong to persons.
            case NAME, CLASS -> "(h.head_name LIKE :prefix ESCAPE '\\' OR h.household_no = :exact)";
            case ID_NUMBER, STUDENT_NO, MASKED_ID -> "1=0";
            default -> null;
        });
        if (q.regionCode() != null && !q.regionCode().isBlank()) {
            where.append(" AND h.region_code LIKE :rp");
            p.put("rp", new RegionCode(q.regionCode().strip()).prefix() + "%");
        }
        if (q.category() != null && !q.category().isBlank()) {
            where.append(" AND h.poverty_category = :cat");
            p.put("cat", PovertyCategory.valueOf(q.category()).name());
        }
        return new Where(where.toString(), p);
    }

    private static final String HOUSEHOLD_SELECT =
            "SELECT h.*, (SELECT COUNT(*) FROM person m WHERE m.household_id = h.id) AS members FROM household h";

    @Override
    @Transactional
    public long exportHouseholds(CurrentUser user, HouseholdQuery q, OutputStream out,
                                 Locale locale) {
        Where w = householdWhere(user.childDataScope(), q);
        boolean maskNames = !Privacy.of(user).fullNames();
        List<String> header = Stream.of("no", "head", "region", "category", "members",
                "identifiedYear", "exitedYear").map(c -> messages.getMessage("household." + c, null, locale)).toList();
        long[] n = {0};
        try (Xlsx x = new Xlsx(out,
                messages.getMessage("household.list.title", null, locale), header)) {
            jdbc.sql(HOUSEHOLD_SELECT + w.sql() + " ORDER BY h.household_no").withFetchSize(1000).params(w.params())
                    .query(rs -> {
                        HouseholdView h = household(rs, List.of());
                        x.row(List.of(h.householdNo(), maskNames ? Masking.name(h.headName()) : h.headName(),
                                h.regionCode(), h.povertyCategory() == null ? "" : messages.getMessage(
                                        "enum.PovertyCategory." + h.povertyCategory(), null, locale),
                                String.valueOf(h.memberCount()), h.identifiedYear() == null ? "" : h.identifiedYear().toString(),
                                h.exitedYear() == null ? "" : h.exitedYear().toString()));
                        n[0]++;
                    });
        }
        audit.record("EXPORT", "households", null, Map.of("rows", n[0], "filter", q.describe()));
        return n[0];
    }

    @Override
    public Page<HouseholdView> households(Scope scope, HouseholdQuery q, int page, int size) {
        Where w = householdWhere(scope, q);
        long total = jdbc.sql("SELECT COUNT(*) FROM household h" + w.sql()).params(w.params()).query(Long.class).single();
        // A page past the end (the list shrank since the link was made) shows the last page.
        int shown = Page.clamp(page, total, size);
        Map<String, Object> p = new HashMap<>(w.params());
        p.put("lim", size);
        p.put("off", (long) shown * size);
        var items = jdbc.sql(HOUSEHOLD_SELECT + w.sql() + " ORDER BY " + householdOrder(q.sort())
                        + " LIMIT :lim OFFSET :off").params(p).query((rs, n) -> household(rs, List.of())).list();
        return new Page<>(items, total, shown, size);
    }

    /** Only these columns sort (never a user's text in SQL); the household number last so pages never overlap. */
    private static String householdOrder(String sort) {
        boolean desc = sort != null && sort.startsWith("-");
        String column = sort == null ? null : switch (desc ? sort.substring(1) : sort) {
            case "head" -> "h.head_name";
            case "village" -> "h.region_code";
            case "members" -> "members";
            case "year" -> "h.identified_year";
            case "no" -> "h.household_no";
            default -> null;
        };
        if (column == null) {
            return "h.household_no";
        }
        String dir = desc ? " DESC" : "";
        return column + dir + (column.equals("h.household_no") ? "" : ", h.household_no" + dir);
    }

    private static HouseholdView household(ResultSet rs, List<HouseholdView.Member> members) throws SQLException {
        String cat = rs.getString("poverty_category");
        return new HouseholdView(rs.getLong("id"), rs.getString("household_no"), rs.getString("region_code"),
                rs.getString("head_name"), cat == null ? null : PovertyCategory.valueOf(cat), rs.getBoolean("on_roster"),
                (Integer) rs.getObject("identified_year"), (Integer) rs.getObject("exited_year"),
                rs.getBigDecimal("income_per_head"), (Boolean) rs.getObject("housing_safe"), rs.getInt("members"),
                rs.getInt("version"), members);
    }

    @Override
    public Optional<HouseholdView> household(Scope scope, long id) {
        boolean exists = jdbc.sql("SELECT COUNT(*) FROM household WHERE id = :id").param("id", id)
                .query(Long.class).single() > 0;
        if (!exists) {
            return Optional.empty();
        }
        ScopeFilter f = householdScope(scope);
        var base = jdbc.sql("SELECT h.*, (SELECT COUNT(*) FROM person m WHERE m.household_id = h.id) AS members "
                        + "FROM household h WHERE h.id = :id AND " + f.sql()).params(f.params()).param("id", id)
                .query((rs, n) -> household(rs, List.of())).optional();
        if (base.isEmpty()) {
            throw new AccessDeniedException("household outside scope");
        }
        SchoolNames names = new SchoolNames();
        List<HouseholdView.Member> members = new ArrayList<>();
        // A school sees the family of its pupil, not the siblings taught at other schools (their names, birth dates
        // and schools are those schools' business).
        boolean school = scope.type() == Scope.Type.SCHOOL;
        jdbc.sql("""
                SELECT p.id, p.name, p.id_masked, p.gender, p.birth_date, p.relation, e.id AS eid, e.school_code, e.stage
                FROM person p LEFT JOIN enrolment e ON e.person_id = p.id
                WHERE p.household_id = :id""" + (school ? " AND (e.id IS NULL OR e.school_code = :school)" : "")
                + " ORDER BY p.birth_date").param("id", id).params(school ? Map.of("school", scope.code()) : Map.of())
                .query(rs -> {
            long eid = rs.getLong("eid");
            boolean enrolled = !rs.wasNull();
            members.add(new HouseholdView.Member(rs.getLong("id"), rs.getString("name"),
                    rs.getString("id_masked").strip(), Gender.valueOf(rs.getString("gender")),
                    rs.getDate("birth_date").toLocalDate(), rs.getString("relation"), enrolled ? eid : null,
                    enrolled ? names.of(rs.getString("school_code")) : null, rs.getString("stage")));
        });
        HouseholdView h = base.get();
        return Optional.of(new HouseholdView(h.id(), h.householdNo(), h.regionCode(), h.headName(), h.povertyCategory(),
                h.onRoster(), h.identifiedYear(), h.exitedYear(), h.incomePerHead(), h.housingSafe(), h.memberCount(),
                h.version(), members));
    }

    @Override
    public Map<String, Long> registeredPoorStudentsByStage(Scope scope) {
        return counts.students(scope).poorByStage();
    }

    @Override
    public long studentCount(Scope scope) {
        return counts.students(scope).total();
    }

    @Override
    public long householdCount(Scope scope, boolean rosterOnly) {
        return counts.households(scope, rosterOnly);
    }
}
