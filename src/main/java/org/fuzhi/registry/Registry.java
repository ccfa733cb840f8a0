package org.fuzhi.registry;

import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.fuzhi.common.Gender;
import org.fuzhi.common.Page;
import org.fuzhi.common.Stage;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Privacy;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.Sealed;

/** 学生与家庭 — the registry module's API. Every query takes the caller's scope and applies it in SQL. */
public interface Registry {

    Page<StudentView> students(Scope scope, StudentQuery query, int page, int size);

    /** Streams every matching student (for exports) without loading them all. */
    void forEachStudent(Scope scope, StudentQuery query, Consumer<StudentView> consumer);

    /** Empty when the student does not exist; throws AccessDeniedException when it exists outside the scope. */
    Optional<StudentView> student(Scope scope, long id);

    /** The students of these IDs inside the scope (absent: not there or outside it — the caller cannot tell which). */
    Map<Long, StudentView> studentsIn(Scope scope, Collection<Long> ids);

    /** The full ID number, for a role that may unmask; recorded in the audit log. */
    String unmaskIdNumber(Scope scope, long studentId);

    /** Saves an edit made on a record read at {@code expectedVersion}; a stale edit throws StaleEditException. */
    void updateStudent(Scope scope, long id, int expectedVersion, StudentEdit edit);

    /**
     * Writes the matching students as .xlsx: ID numbers masked unless {@code unmask} is asked for by a role that may,
     * names masked for roles that may not unmask. Audited with the filter and row count.
     */
    long exportStudents(CurrentUser user, StudentQuery query, boolean unmask,
                        OutputStream out, Locale locale);

    Page<HouseholdView> households(Scope scope, HouseholdQuery query, int page, int size);

    Optional<HouseholdView> household(Scope scope, long id);

    /** Saves an edit of a household read at {@code expectedVersion}; a stale edit throws StaleEditException. */
    void updateHousehold(Scope scope, long id, int expectedVersion, HouseholdEdit edit);

    /** Writes the matching households as .xlsx (head names masked for roles that may not unmask); audited. */
    long exportHouseholds(CurrentUser user, HouseholdQuery query, OutputStream out,
                          Locale locale);

    /** In-school students of households on the poverty roster, by stage group, inside the scope. */
    Map<String, Long> registeredPoorStudentsByStage(Scope scope);

    long studentCount(Scope scope);

    long householdCount(Scope scope, boolean rosterOnly);

    /**
     * Streams the in-school students of the scope with the attributes an assessment model may use
     * ({@link #ASSESSMENT_ATTRIBUTES}); household attributes are null for students with no household record.
     */
    void forEachAssessmentSubject(Scope scope, Consumer<AssessmentSubject> consumer);

    /**
     * The same students, to be read in disjoint parts (by student ID) in parallel, each part in its own
     * transaction. What all parts share (household sizes) is read once, here.
     */
    AssessmentSubjects assessmentSubjects(Scope scope);

    /** The in-school students of a scope with their assessment attributes, readable in parallel parts. */
    interface AssessmentSubjects {
        /** Streams part {@code slice} of {@code slices}. */
        void forEach(int slice, int slices, Consumer<AssessmentSubject> consumer);
    }

    /** The attribute names available to assessment indicators over live data. */
    Set<String> ASSESSMENT_ATTRIBUTES = Set.of("student.stage", "student.grade",
            "student.boarding", "student.disability", "student.leftBehind", "student.singleParent", "student.orphan",
            "household.category", "household.onRoster", "household.incomePerHead", "household.housingSafe",
            "household.members");

    /**
     * Registered persons by the blind index of their ID number ({@link org.fuzhi.platform.FieldCrypto#index}, as
     * the roster and department lists store it), keyed by that index. For record linkage only.
     */
    Map<String, PersonRef> personsByIdIndex(Collection<String> idIndexes);

    /** Registered persons and their households by ID-number index, keyed by that index; any number of them. */
    Map<String, PersonHousehold> householdsByIdIndex(Collection<String> idIndexes);

    record PersonHousehold(long personId, Long householdId) {
    }

    /**
     * Each person's enrolment as the registry holds it now (persons without one are absent): what opening an aid
     * term re-verifies — a child who left school is not paid, one who transferred is paid by the school where they
     * are now.
     */
    Map<Long, CurrentEnrolment> currentEnrolments(Collection<Long> personIds);

    /** @param residence the household's region code (null without a household) */
    record CurrentEnrolment(long personId, long studentId, String schoolCode, String schoolRegionCode,
                            Stage stage, Integer grade, boolean boarding, EnrolmentStatus status,
                            boolean outsideCounty, String residence) {
    }

    /** The enrolment status of each person that has an enrolment (persons without one are absent). */
    Map<Long, EnrolmentStatus> enrolmentStatusOf(Collection<Long> personIds);

    /** Registered persons whose household is in one of these regions (the second blocking key of record linkage). */
    List<PersonRef> personsLivingIn(Collection<String> regionCodes);

    /** Person IDs by ID-number index, for those registered (the exact pass of record linkage). */
    Map<String, Long> personIdsByIdIndex(Collection<String> idIndexes);

    /**
     * Who holds each ID number (by index): what the exact pass of record linkage checks a roster line against —
     * an exact ID on a line with another name is a relative's number or a typo, not a link.
     */
    Map<String, IdOwner> idOwnersByIndex(Collection<String> idIndexes);

    record IdOwner(long personId, String name, Gender gender, LocalDate birthDate,
                   String householdNo) {
    }

    /**
     * Streams the registered persons whose household lives in the area, ordered by the household's region code (so
     * county by county): the block of record linkage above county level, where birth dates alone match hundreds of
     * persons each (roster families are registered households). Persons only: their {@code studentId} and
     * {@code schoolCode} are not filled in here.
     */
    void forEachPersonOfArea(String regionCode, Consumer<PersonRef> consumer);

    /**
     * Registered persons of the area born on any of these dates (the blocking key of record linkage): a county's
     * roster is never matched to another county's people.
     */
    List<PersonRef> personsBornOn(Scope area, Collection<LocalDate> dates);

    /** Name, masked ID and home village of persons by ID, for showing who a roster line was linked to. */
    Map<Long, PersonLabel> personLabels(Collection<Long> personIds);

    /** @param studentId the person's enrolment (null when not enrolled), for a link to the student page */
    record PersonLabel(long personId, String name, String idMasked, LocalDate birthDate, String villageCode,
                       Long studentId) {
    }

    /**
     * A registered person as record linkage sees it. Carries the full ID number: it must never leave the
     * linkage code unmasked.
     */
    /** @param sealedId the ID number, decrypted only when {@link #idNumber()} is read (linkage reads millions). */
    /** @param householdNo the 户编号 of the person's household (null without one), compared with a roster line's */
    record PersonRef(long personId, Sealed sealedId, String name, Gender gender,
                     LocalDate birthDate, String villageCode, Long studentId, String schoolCode,
                     String householdNo) {

        /** The clear ID number. */
        public String idNumber() {
            return sealedId == null ? null : sealedId.reveal();
        }
    }

    /**
     * @param placement where the student is and what the roster says about them, for identification rounds
     */
    record AssessmentSubject(long studentId, String stageGroup, String povertyCategory,
                             Map<String, Object> values, Placement placement) {
    }

    /**
     * @param villageCode    the region of the student's household (null without a household record)
     * @param rosterCategory the category of the roster member linked to the person (null when not on the roster)
     */
    record Placement(long personId, Long householdId, String name, String villageCode, String schoolCode, String schoolRegionCode,
                     boolean outsideCounty,
                     String stage, Integer grade, String rosterCategory) {
    }

    /**
     * @param search how the search box's text reads for the searching user's role ({@link Privacy#search})
     */
    /**
     * @param sort a column to sort by ({@code name}, {@code school}, {@code grade}, {@code status}), {@code -} in
     *             front for descending; null for the roster's order (school, grade, class)
     */
    record StudentQuery(Privacy.Search search, String schoolCode, String stage, String status, Boolean registeredPoor,
                        String sort) {
        public StudentQuery(Privacy.Search search, String schoolCode, String stage, String status,
                            Boolean registeredPoor) {
            this(search, schoolCode, stage, status, registeredPoor, null);
        }

        public static StudentQuery all() {
            return new StudentQuery(null, null, null, null, null);
        }

        /** The filter as the audit log may keep it: the kind of search, never the searched text. */
        public String describe() {
            return "search=" + (search == null ? "NONE" : search.kind()) + " school=" + schoolCode + " stage=" + stage
                    + " status=" + status + " poor=" + registeredPoor;
        }
    }

    /** @param sort a column of the list ("head", "village", "members", "year", "no"; "-" first for descending) */
    record HouseholdQuery(Privacy.Search search, String regionCode, String category, String sort) {
        public HouseholdQuery(Privacy.Search search, String regionCode, String category) {
            this(search, regionCode, category, null);
        }

        /** The filter as the audit log may keep it: the kind of search, never the searched text. */
        public String describe() {
            return "search=" + (search == null ? "NONE" : search.kind()) + " region=" + regionCode
                    + " category=" + category;
        }
    }

    record HouseholdEdit(String headName, PovertyCategory category, Integer identifiedYear, Integer exitedYear,
                         BigDecimal incomePerHead, Boolean housingSafe) {
    }

    record StudentEdit(String name, String ethnicity, Integer grade, String className, boolean boarding,
                       EnrolmentStatus status, boolean leftBehind, boolean singleParent, boolean orphan,
                       boolean disability) {
    }
}
