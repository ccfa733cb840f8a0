package org.fuzhi.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fuzhi.support.Fixtures.PASSWORD;
import static org.fuzhi.support.Fixtures.badCheckDigit;
import static org.fuzhi.support.Fixtures.id;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestBuilders.formLogin;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import jakarta.servlet.http.Cookie;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fuzhi.common.Masking;
import org.fuzhi.common.Stage;
import org.fuzhi.demo.DemoGenerator;
import org.fuzhi.platform.Accounts;
import org.fuzhi.platform.BulkRows;
import org.fuzhi.platform.Downloads;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.ImportKind;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.Places;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.Tabular;
import org.fuzhi.platform.Xlsx;
import org.fuzhi.identification.internal.PovertyStatuses;
import org.fuzhi.registry.Registry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.util.AopTestUtils;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.result.MockMvcResultMatchers;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Web and API behaviour a county user would notice. Runs once on H2 and once on PostgreSQL
 * ({@link H2WebTest}, {@link PostgresWebTest}); each database gets the demo county on start.
 */
@SpringBootTest(properties = {
        "fuzhi.storage.dir=target/test-files",
        // MockMvc tests read each answer at once: the work of a county finishes well inside these waits.
        "fuzhi.jobs.ui-wait=300s", "fuzhi.jobs.answer-within=300s",
        // Each database has its own chain, so each test context its own checkpoint file.
        "fuzhi.audit.checkpoint-file=target/audit-checkpoints/${random.uuid}.log",
        "fuzhi.login.max-failures-per-address=10000"})
@AutoConfigureMockMvc
abstract class AbstractWebTests implements IdentificationWebTests, TwoCountyWebTests, AccountWebTests, AidWebTests,
        JobWebTests, ModelFormWebTests {

    @Autowired
    MockMvc mvc;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    Accounts accounts;
    @Autowired
    Registry registry;
    @Autowired
    PovertyStatuses povertyStatuses;
    @Autowired
    FieldCrypto crypto;
    @Autowired
    PlatformTransactionManager transactions;

    /**
     * A round's readers take the students in parts (person-ID ranges, each read in its own transaction with the
     * database's streamed plan): together the parts must be every in-school student of the scope, each once.
     */
    @Test
    void assessmentPartsCoverEveryStudentInSchoolOnce() {
        Scope county = Scope.region("421182000000");
        List<Long> whole = new ArrayList<>();
        registry.forEachAssessmentSubject(county, s -> whole.add(s.studentId()));
        var subjects = registry.assessmentSubjects(county);
        var readOnly = new TransactionTemplate(transactions);
        readOnly.setReadOnly(true);
        List<Long> parts = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            int slice = k;
            readOnly.executeWithoutResult(st -> subjects.forEach(slice, 8, s -> parts.add(s.studentId())));
        }
        assertThat(whole).hasSizeGreaterThan(30_000);
        assertThat(parts).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(whole);
    }

    @Autowired
    BulkRows bulk;

    @Autowired
    Places places;

    /**
     * A school moved to another village (a school import, here as another instance would write it) is filed under
     * its new region at once: its audit events and imports follow the school, not a copy an instance kept.
     */
    @Test
    void aSchoolMovedToAnotherRegionIsSeenWhereItIsNow() {
        var school = jdbc.sql("SELECT code, region_code FROM school WHERE region_code LIKE '421182%' ORDER BY code")
                .query((rs, n) -> new String[]{rs.getString(1), rs.getString(2)}).list().get(0);
        String other = jdbc.sql("SELECT code FROM region WHERE level = 'VILLAGE' AND code LIKE '421182%' AND code <> :c "
                + "ORDER BY code").param("c", school[1]).query(String.class).list().get(0);
        assertThat(places.regionOfSchool(school[0])).contains(school[1]);
        try {
            jdbc.sql("UPDATE school SET region_code = :r WHERE code = :c").param("r", other).param("c", school[0])
                    .update();
            assertThat(places.regionOfSchool(school[0])).contains(other);
        } finally {
            jdbc.sql("UPDATE school SET region_code = :r WHERE code = :c").param("r", school[1]).param("c", school[0])
                    .update();
        }
    }

    /**
     * Rows written in bulk (COPY on PostgreSQL) come back as they were sent — quotes, commas, line breaks, nulls and
     * empty strings — and a part that meets another writer's key loses only the refused row, on either database.
     */
    @Test
    void bulkRowsKeepTheirValuesAndSkipOnlyARowAnotherWriterHolds() {
        jdbc.sql("CREATE TABLE bulk_probe (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, k INT NOT NULL "
                + "UNIQUE, v VARCHAR(50))").update();
        try {
            jdbc.sql("INSERT INTO bulk_probe (k, v) VALUES (2, 'first')").update();
            var tx = new TransactionTemplate(transactions);
            long written = tx.execute(st -> {
                var staged = bulk.stage("bulk_probe", List.of("k", "v"));
                staged.add(List.of(new Object[]{1, "a \"quoted\", with\na break"}, new Object[]{2, "second"},
                        new Object[]{3, null}));
                staged.add(List.<Object[]>of(new Object[]{4, ""}));
                return staged.insertSkippingDuplicates();
            });
            assertThat(written).isEqualTo(3);
            assertThat(jdbc.sql("SELECT k, v FROM bulk_probe ORDER BY k").query((rs, n) ->
                    rs.getInt(1) + "=" + rs.getString(2)).list())
                    .containsExactly("1=a \"quoted\", with\na break", "2=first", "3=null", "4=");
            tx.executeWithoutResult(st -> bulk.insert("bulk_probe", List.of("k", "v"),
                    List.<Object[]>of(new Object[]{5, "五"})));
            assertThat(jdbc.sql("SELECT v FROM bulk_probe WHERE k = 5").query(String.class).single()).isEqualTo("五");
        } finally {
            jdbc.sql("DROP TABLE bulk_probe").update();
        }
    }

    String token(String username) throws Exception {
        MvcResult r = mvc.perform(post("/api/v1/auth/token").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"username\":\"" + username + "\",\"password\":\"" + PASSWORD + "\"}"))
                .andExpect(status().isOk()).andExpect(jsonPath("$.expiresAt").exists()).andReturn();
        String body = r.getResponse().getContentAsString();
        return body.replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
    }

    @Override
    public MockMvc mvc() {
        return mvc;
    }

    @Autowired
    Jobs jobs;

    @Override
    public Jobs jobs() {
        return jobs;
    }

    @Override
    public PlatformTransactionManager transactions() {
        return transactions;
    }

    @Override
    public JdbcClient jdbc() {
        return jdbc;
    }

    @Override
    public String bearer(String username) throws Exception {
        return "Bearer " + token(username);
    }

    @Override
    public Cookie login(String username) throws Exception {
        MvcResult r = mvc.perform(formLogin("/login").user(username).password(PASSWORD)).andReturn();
        assertThat(r.getResponse().getRedirectedUrl()).isEqualTo("/");
        // Sessions live in the database (Spring Session): the browser's handle on one is its SESSION cookie.
        Cookie session = r.getResponse().getCookie("SESSION");
        assertThat(session).as("session cookie after login").isNotNull();
        return session;
    }

    String schoolOf(String username) {
        return jdbc.sql("SELECT scope_code FROM app_user WHERE username = :u").param("u", username)
                .query(String.class).single();
    }

    long studentOfSchool(String school, boolean same) {
        return jdbc.sql("SELECT MIN(id) FROM enrolment WHERE school_code " + (same ? "=" : "<>") + " :s")
                .param("s", school).query(Long.class).single();
    }

    // ------------------------------------------------------------------ dashboard and figures

    @Test
    void overviewShowsTheDemoCountyFiguresExactly() throws Exception {
        mvc.perform(get("/api/v1/stats/overview").header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.registeredPoorStudents.total").value(6680))
                .andExpect(jsonPath("$.registeredPoorStudents.byStage.KINDERGARTEN").value(1238))
                .andExpect(jsonPath("$.registeredPoorStudents.byStage.PRIMARY").value(3087))
                .andExpect(jsonPath("$.registeredPoorStudents.byStage.JUNIOR").value(891))
                .andExpect(jsonPath("$.registeredPoorStudents.byStage.SENIOR").value(446))
                .andExpect(jsonPath("$.registeredPoorStudents.byStage.VOCATIONAL").value(226))
                .andExpect(jsonPath("$.registeredPoorStudents.byStage.HIGHER").value(792))
                .andExpect(jsonPath("$.keyPoorVillages").value(46))
                .andExpect(jsonPath("$.keyVillageSchools.total").value(26))
                .andExpect(jsonPath("$.keyVillageSchools.JUNIOR").value(2))
                .andExpect(jsonPath("$.keyVillageSchools.PRIMARY").value(1))
                .andExpect(jsonPath("$.keyVillageSchools.TEACHING_POINT").value(23))
                .andExpect(jsonPath("$.keyVillageTeachers").value(222));
    }

    @Test
    void dashboardPageShowsTheFiguresInChinese() throws Exception {
        String html = mvc.perform(get("/").cookie(login("zizhu"))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(html).contains("建档立卡家庭在校学生").contains(">6680<").contains(">46<").contains(">222<");
    }

    @Test
    void aSchoolSeesOnlyItsOwnFigures() throws Exception {
        mvc.perform(get("/api/v1/stats/overview").header("Authorization", bearer("xuexiao")))
                .andExpect(status().isOk())
                .andExpect(result -> assertThat(Integer.parseInt(result.getResponse().getContentAsString()
                        .replaceAll(".*\"registeredPoorStudents\":\\{\"total\":(\\d+).*", "$1"))).isLessThan(6680));
    }

    // ------------------------------------------------------------------ authentication

    @Test
    void theApiAnswers401WithoutAToken() throws Exception {
        mvc.perform(get("/api/v1/students")).andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.message").exists());
        mvc.perform(get("/api/v1/students").header("Authorization", "Bearer not-a-token"))
                .andExpect(status().isUnauthorized());
    }

    @Test
    void wrongPasswordsAreThrottledWithAClearMessage() throws Exception {
        if (!accounts.exists("throttle-test")) {
            accounts.create(new Accounts.NewAccount("throttle-test", PASSWORD, "t", Role.CENTER,
                    Scope.region("421182000000"), false));
        }
        for (int i = 0; i < 5; i++) {
            mvc.perform(post("/api/v1/auth/token").contentType(MediaType.APPLICATION_JSON)
                            .content("{\"username\":\"throttle-test\",\"password\":\"wrong\"}"))
                    .andExpect(status().isUnauthorized());
        }
        // Even the right password is refused while the account is locked.
        String body = mvc.perform(post("/api/v1/auth/token").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"username\":\"throttle-test\",\"password\":\"" + PASSWORD + "\"}"))
                .andExpect(status().isTooManyRequests()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(body).contains("分钟");
        String page = mvc.perform(formLogin("/login").user("throttle-test").password(PASSWORD))
                .andReturn().getResponse().getRedirectedUrl();
        assertThat(page).isEqualTo("/login?error");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_event WHERE action = 'LOGIN_FAILURE' AND actor = 'throttle-test'")
                .query(Long.class).single()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void formsWithoutACsrfTokenAreRefused() throws Exception {
        Cookie s = login("zizhu");
        long id = studentOfSchool(schoolOf("xuexiao"), true);
        mvc.perform(post("/students/" + id + "/unmask").cookie(s)).andExpect(status().isForbidden());
    }

    // ------------------------------------------------------------------ scope

    @Test
    void aSchoolOperatorCannotReadAnotherSchoolsStudentThroughUiApiOrExport() throws Exception {
        String school = schoolOf("xuexiao");
        long own = studentOfSchool(school, true);
        long other = studentOfSchool(school, false);
        String auth = bearer("xuexiao");
        // API
        mvc.perform(get("/api/v1/students/" + own).header("Authorization", auth)).andExpect(status().isOk());
        mvc.perform(get("/api/v1/students/" + other).header("Authorization", auth)).andExpect(status().isForbidden());
        String otherName = jdbc.sql("SELECT p.name FROM enrolment e JOIN person p ON p.id = e.person_id WHERE e.id = :id")
                .param("id", other).query(String.class).single();
        mvc.perform(get("/api/v1/students").param("school", studentSchool(other)).header("Authorization", auth))
                .andExpect(jsonPath("$.total").value(0));
        String list = mvc.perform(get("/api/v1/students").param("q", otherName).param("size", "500")
                .header("Authorization", auth)).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(list).doesNotContain("\"id\":" + other + ",");
        // UI
        Cookie s = login("xuexiao");
        mvc.perform(get("/students/" + own).cookie(s)).andExpect(status().isOk());
        String denied = mvc.perform(get("/students/" + other).cookie(s)).andExpect(status().isForbidden())
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(denied).contains("无权访问").doesNotContain(otherName);
        // Export: every row belongs to the operator's school
        byte[] xlsx = mvc.perform(get("/students/export").cookie(s)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsByteArray();
        List<List<String>> rows = readXlsx(xlsx);
        long expected = jdbc.sql("SELECT COUNT(*) FROM enrolment WHERE school_code = :s").param("s", school)
                .query(Long.class).single();
        assertThat(rows).hasSize((int) expected + 1);
        String schoolName = jdbc.sql("SELECT name FROM school WHERE code = :s").param("s", school).query(String.class).single();
        assertThat(rows.subList(1, rows.size())).allSatisfy(r -> assertThat(r.get(5)).isEqualTo(schoolName));
        // The export is masked by default and audited.
        assertThat(rows.get(1).get(2)).matches("\\d{4}\\*{10}[0-9X]{4}");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_event WHERE action = 'EXPORT' AND actor = 'xuexiao'")
                .query(Long.class).single()).isPositive();
    }

    @Test
    void householdAndSchoolExportsFollowTheScope() throws Exception {
        String school = schoolOf("xuexiao");
        List<List<String>> households = readXlsx(mvc.perform(get("/api/v1/households/export")
                .header("Authorization", bearer("xuexiao"))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsByteArray());
        long expected = jdbc.sql("SELECT COUNT(DISTINCT p.household_id) FROM enrolment e JOIN person p ON p.id = e.person_id "
                + "WHERE e.school_code = :s AND p.household_id IS NOT NULL").param("s", school).query(Long.class).single();
        assertThat(households).hasSize((int) expected + 1);
        List<List<String>> schools = readXlsx(mvc.perform(get("/api/v1/schools/export")
                .header("Authorization", bearer("xuexiao"))).andReturn().getResponse().getContentAsByteArray());
        assertThat(schools).hasSize(2);
        assertThat(schools.get(1).get(0)).isEqualTo(school);
        List<List<String>> all = readXlsx(mvc.perform(get("/api/v1/schools/export")
                .header("Authorization", bearer("zizhu"))).andReturn().getResponse().getContentAsByteArray());
        // Wuxue's schools and the universities outside the county, not the second county's schools.
        assertThat(all.size() - 1L).isEqualTo(jdbc.sql("SELECT COUNT(*) FROM school WHERE region_code IS NULL "
                + "OR region_code NOT LIKE '421127%'").query(Long.class).single());
    }

    /**
     * The household list sorts by its columns (a second click reverses), names each village with its township instead
     * of a code, offers the area by name, and shows the last page for a page past the end.
     */
    @Test
    void theHouseholdListSortsByItsColumnsAndNamesItsVillages() throws Exception {
        JsonNode most = json(mvc.perform(get("/api/v1/households").param("sort", "-members").param("size", "100")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk()));
        List<Integer> down = new ArrayList<>();
        most.get("items").forEach(h -> down.add(h.get("memberCount").asInt()));
        assertThat(down).hasSize(100).isSortedAccordingTo(Comparator.reverseOrder());
        long biggest = jdbc.sql("""
                SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM person p JOIN household h ON h.id = p.household_id
                WHERE h.region_code LIKE '421182%' GROUP BY h.id) t""").query(Long.class).single();
        assertThat((long) down.get(0)).isGreaterThanOrEqualTo(biggest);
        JsonNode fewest = json(mvc.perform(get("/api/v1/households").param("sort", "members").param("size", "100")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk()));
        List<Integer> up = new ArrayList<>();
        fewest.get("items").forEach(h -> up.add(h.get("memberCount").asInt()));
        assertThat(up).isSorted();
        assertThat(up.get(0)).isLessThan(down.get(0));
        // A sort that is no column of the list is the list's own order, never SQL.
        mvc.perform(get("/api/v1/households").param("sort", "members; DROP TABLE household")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk());

        Cookie session = login("zizhu");
        String page = mvc.perform(get("/households").param("sort", "village").param("page", "100000").cookie(session))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        long total = json(mvc.perform(get("/api/v1/households").param("size", "1")
                .header("Authorization", bearer("zizhu")))).get("total").asLong();
        long pages = (total + 19) / 20;
        assertThat(page).contains("第 " + pages + " /");
        assertThat(page).contains("aria-sort=\"ascending\"").contains("sort=-village");
        String table = page.substring(page.indexOf("id=\"household-table\""));
        // Villages by name with their township, not 12-digit codes.
        assertThat(table.substring(0, table.indexOf("</table>"))).doesNotContainPattern(">\\d{12}<")
                .containsPattern("<td title=\"\\d{12}\">\\S+ \\S+村<|<td title=\"\\d{12}\">\\S+ \\S+社区<");
        assertThat(page).contains("<optgroup label=\"").contains("（全域）</option>");
    }

    /** The audit log sorts by time, person and action, sets its page size and clamps a page past the end. */
    @Test
    void theAuditLogSortsSetsItsPageSizeAndClampsThePage() throws Exception {
        Cookie session = login("zizhu");
        String oldest = mvc.perform(get("/audit").param("sort", "time").param("size", "20").cookie(session))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        List<Long> ids = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("title=\"#(\\d+)\"").matcher(oldest);
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        assertThat(ids).hasSize(20).isSorted();
        assertThat(oldest).contains("aria-sort=\"ascending\"").contains("sort=-time").contains("id=\"pager-size\"");
        String newest = mvc.perform(get("/audit").param("size", "20").cookie(session))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        m = java.util.regex.Pattern.compile("title=\"#(\\d+)\"").matcher(newest);
        List<Long> down = new ArrayList<>();
        while (m.find()) {
            down.add(Long.parseLong(m.group(1)));
        }
        assertThat(down).hasSize(20).isSortedAccordingTo(Comparator.reverseOrder());
        String byAction = mvc.perform(get("/audit").param("sort", "action").param("size", "100").cookie(session))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        List<String> actions = new ArrayList<>();
        m = java.util.regex.Pattern.compile("<td class=\"small\" title=\"([A-Z_]+)\"").matcher(byAction);
        while (m.find()) {
            actions.add(m.group(1));
        }
        assertThat(actions).hasSize(100).isSorted();
        String last = mvc.perform(get("/audit").param("page", "100000").param("size", "100").cookie(session))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        m = java.util.regex.Pattern.compile("第 (\\d+) / (\\d+) 页").matcher(last);
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).isEqualTo(m.group(2));
        // The export keeps the list's order.
        List<List<String>> sheet = readXlsx(mvc.perform(get("/api/v1/audit-events/export").param("sort", "time")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsByteArray());
        List<Long> exported = sheet.subList(1, Math.min(sheet.size(), 101)).stream()
                .map(r -> Long.parseLong(r.get(0))).toList();
        assertThat(exported).isSorted();
        mvc.perform(get("/audit").param("sort", "action; DROP TABLE audit_event").cookie(session))
                .andExpect(status().isOk());
    }

    /** A round's entries sort by their columns (also the export), offer page sizes, and clamp a page past the end. */
    @Test
    void theRoundEntriesSortByTheirColumnsAndClampThePage() throws Exception {
        long round = jdbc.sql(IdentificationWebTests.DEMO_ROUND).query(Long.class).single();
        String api = "/api/v1/identification/rounds/" + round + "/entries";
        JsonNode byScore = json(mvc.perform(get(api).param("sort", "-score").param("size", "200")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk()));
        List<Double> scores = new ArrayList<>();
        byScore.get("items").forEach(e -> scores.add(e.get("score").asDouble()));
        assertThat(scores).hasSize(200).isSortedAccordingTo(Comparator.reverseOrder());
        double top = jdbc.sql("SELECT MAX(score) FROM ident_entry WHERE round_id = :r "
                        + "AND (school_region_code LIKE '421182%' OR village_code LIKE '421182%')")
                .param("r", round).query(Double.class).single();
        assertThat(scores.get(0)).isEqualTo(top);
        JsonNode byName = json(mvc.perform(get(api).param("sort", "name").param("size", "100")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk()));
        List<String> names = new ArrayList<>();
        byName.get("items").forEach(e -> names.add(e.get("name").asText()));
        assertThat(names).hasSize(100).isSorted();
        // A village is named with its township (12 townships have a 向阳村).
        byName.get("items").forEach(e -> {
            if (!e.get("villageName").isNull()) {
                assertThat(e.get("villageName").asString()).contains(" ");
            }
        });
        // Stages in school order: a kindergarten child before a pupil, never alphabetical (JUNIOR < KINDERGARTEN).
        JsonNode byStage = json(mvc.perform(get(api).param("sort", "grade").param("size", "1000")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk()));
        List<Integer> order = new ArrayList<>();
        byStage.get("items").forEach(e -> order.add(Stage.valueOf(e.get("stage").asText()).ordinal()));
        assertThat(order).isSorted();
        mvc.perform(get(api).param("sort", "score; DROP TABLE ident_entry").header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk());

        Cookie session = login("zizhu");
        String page = mvc.perform(get("/identification/rounds/" + round).param("sort", "-level").param("size", "20")
                        .param("page", "100000").cookie(session))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        long total = byScore.get("total").asLong();
        assertThat(page).contains("第 " + ((total + 19) / 20) + " /");
        assertThat(page).contains("aria-sort=\"descending\"").contains("sort=level");
        assertThat(page).contains("sort=-level").contains("id=\"pager-size\"");
        // The export keeps the order the list shows.
        List<List<String>> sheet = readXlsx(mvc.perform(get(api + "/export").param("sort", "-score")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsByteArray());
        List<Double> exported = sheet.subList(1, Math.min(sheet.size(), 201)).stream()
                .map(r -> Double.parseDouble(r.get(8))).toList();
        assertThat(exported).isSortedAccordingTo(Comparator.reverseOrder());
        assertThat(exported.get(0)).isCloseTo(top, org.assertj.core.data.Offset.offset(0.005));
    }

    /** The school list sorts by its columns, says where a school is by name, and picks the area by name. */
    @Test
    void theSchoolListSortsByItsColumnsAndNamesPlaces() throws Exception {
        JsonNode most = json(mvc.perform(get("/api/v1/schools").param("sort", "-teachers")
                .param("size", "500").header("Authorization", bearer("zizhu"))).andExpect(status().isOk()));
        List<Integer> teachers = new ArrayList<>();
        most.get("items").forEach(sc -> teachers.add(sc.get("teacherCount").asInt()));
        assertThat(teachers).hasSizeGreaterThan(20).isSortedAccordingTo(Comparator.reverseOrder());
        assertThat(teachers.get(0)).isGreaterThan(teachers.get(teachers.size() - 1));
        Cookie session = login("zizhu");
        String page = mvc.perform(get("/schools").param("sort", "name").param("size", "50").cookie(session))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(page).contains("aria-sort=\"ascending\"").contains("sort=-name").contains("（全域）</option>")
                .contains("/schools/export?sort=name&amp;");
        String table = page.substring(page.indexOf("id=\"school-table\""), page.indexOf("</table>"));
        assertThat(table).containsPattern("<td>\\S+(镇|街道|乡|办事处) \\S+</td>");
    }

    /** The audit log names an account's data scope (a school, a township's village) and the system, never a code. */
    @Test
    void theAuditLogNamesScopesAndTheSystem() throws Exception {
        for (String reader : List.of("hm-zizhu", "zizhu")) {
            String page = mvc.perform(get("/audit").param("action", "ACCOUNT_CREATE").cookie(login(reader)))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
            String table = page.substring(page.indexOf("id=\"audit-table\""));
            assertThat(table).as(reader).doesNotContain("SCHOOL:").doesNotContain("REGION:")
                    .doesNotContain(">system<").contains("<div>系统</div>")
                    .containsPattern("<dt>数据范围</dt><dd>[^<0-9]+</dd>");
        }
    }

    private String studentSchool(long id) {
        return jdbc.sql("SELECT school_code FROM enrolment WHERE id = :id").param("id", id).query(String.class).single();
    }

    /**
     * The roster sorts by its columns, jumps to a page, sets the page size; a page past the end shows the last one,
     * and the links carry only the filters in use.
     */
    @Test
    void theStudentListSortsPagesAndKeepsOnlyTheFiltersInUse() throws Exception {
        String school = schoolOf("xuexiao");
        Cookie s = login("zizhu");
        List<String> byName = jdbc.sql("""
                SELECT p.name FROM enrolment e JOIN person p ON p.id = e.person_id WHERE e.school_code = :s
                ORDER BY p.name, e.id""").param("s", school).query(String.class).list();
        assertThat(byName.size()).isGreaterThan(20);
        String asc = mvc.perform(get("/students").param("school", school).param("sort", "name").param("q", "")
                .cookie(s)).andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        String desc = mvc.perform(get("/students").param("school", school).param("sort", "-name").cookie(s))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        Pattern firstName = Pattern.compile(
                "id=\"students-table\".*?<tbody>\\s*<tr>\\s*<td><a href=\"/students/\\d+\">([^<]+)</a>", Pattern.DOTALL);
        Matcher a = firstName.matcher(asc);
        Matcher d = firstName.matcher(desc);
        assertThat(a.find()).isTrue();
        assertThat(d.find()).isTrue();
        assertThat(a.group(1)).isEqualTo(byName.get(0));
        assertThat(d.group(1)).isEqualTo(byName.get(byName.size() - 1));
        // The next-page link keeps the school and the sort, and not the empty text filter.
        assertThat(asc).contains("href=\"?school=" + school + "&amp;sort=name&amp;page=1\"").doesNotContain("q=&amp;");
        assertThat(asc).contains("aria-sort=\"ascending\"");
        // A page past the end shows the last page; 50 rows a page when asked.
        int pages = (byName.size() + 49) / 50;
        String last = mvc.perform(get("/students").param("school", school).param("size", "50").param("page", "999")
                .cookie(s)).andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(last).contains("共 " + byName.size() + " 条，第 " + pages + " / " + pages + " 页");
        // A size the list does not offer falls back to 20.
        String odd = mvc.perform(get("/students").param("school", school).param("size", "100000").cookie(s))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(odd).contains("第 1 / " + ((byName.size() + 19) / 20) + " 页");
    }

    @Test
    void theAdministratorAndDonorSeeNoChildren() throws Exception {
        // Told so in words — never an empty list or a dashboard of zeros that reads as "no poor students".
        for (String user : List.of("admin", "juanzeng")) {
            for (String path : List.of("/api/v1/students", "/api/v1/households", "/api/v1/stats/overview",
                    "/api/v1/students/export")) {
                mvc.perform(get(path).header("Authorization", bearer(user))).andExpect(status().isForbidden())
                        .andExpect(jsonPath("$.message").value(org.hamcrest.Matchers.containsString("按规定不查看学生和家庭数据")));
            }
            String home = mvc.perform(get("/").cookie(login(user))).andExpect(status().isOk()).andReturn()
                    .getResponse().getContentAsString(StandardCharsets.UTF_8);
            assertThat(home).contains("id=\"no-children-data\"").contains("不查看学生和家庭数据")
                    .doesNotContain("id=\"fig-registered-poor\"");
            String students = mvc.perform(get("/students").cookie(login(user))).andExpect(status().isForbidden())
                    .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
            assertThat(students).contains("按规定不查看学生和家庭数据");
        }
    }

    @Test
    void evaluatorsReadMaskedNamesThroughTheApi() throws Exception {
        long id = studentOfSchool(schoolOf("xuexiao"), true);
        String name = jdbc.sql("SELECT p.name FROM enrolment e JOIN person p ON p.id = e.person_id WHERE e.id = :id")
                .param("id", id).query(String.class).single();
        String masked = Masking.name(name);
        mvc.perform(get("/api/v1/students/" + id).header("Authorization", bearer("pinggu")))
                .andExpect(jsonPath("$.name").value(masked)).andExpect(jsonPath("$.birthDate").doesNotExist());
        mvc.perform(get("/api/v1/students/" + id).header("Authorization", bearer("zizhu")))
                .andExpect(jsonPath("$.name").value(name));
        String page = mvc.perform(get("/students/" + id).cookie(login("pinggu")))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(page).contains(masked).doesNotContain(">" + name + "<");
    }

    @Test
    void unmaskingIsRoleGatedAndAudited() throws Exception {
        long id = studentOfSchool(schoolOf("xuexiao"), true);
        mvc.perform(post("/api/v1/students/" + id + "/unmask").header("Authorization", bearer("pinggu")))
                .andExpect(status().isForbidden());
        String full = mvc.perform(post("/api/v1/students/" + id + "/unmask").header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(full).matches(".*\"idNumber\":\"\\d{17}[0-9X]\".*");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_event WHERE action = 'UNMASK_ID_NUMBER' AND target_id = :id")
                .param("id", String.valueOf(id)).query(Long.class).single()).isEqualTo(1);
        // The audit record itself never holds the full number.
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_event WHERE details LIKE :n")
                .param("n", "%" + full.replaceAll(".*\"idNumber\":\"([^\"]+)\".*", "$1") + "%")
                .query(Long.class).single()).isZero();
        // The audit page says it in words: the action, the child by masked name, the details as labelled fields;
        // no action codes or JSON. The export reads the same.
        String name = jdbc.sql("SELECT p.name FROM enrolment e JOIN person p ON p.id = e.person_id WHERE e.id = :id")
                .param("id", id).query(String.class).single();
        String audit = mvc.perform(get("/audit").param("action", "UNMASK_ID_NUMBER").cookie(login("zizhu")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        String table = audit.substring(audit.indexOf("id=\"audit-table\""));
        assertThat(table).contains(">查看完整身份证号<").contains(">学生 " + Masking.name(name) + "<")
                .contains("<dt>字段</dt><dd>身份证号</dd>").doesNotContain(">UNMASK_ID_NUMBER<").doesNotContain("{&quot;");
        assertThat(audit).contains("<option value=\"UNMASK_ID_NUMBER\" selected=\"selected\">查看完整身份证号</option>");
        // The administrator reads the same record without the child's name.
        String forAdmin = mvc.perform(get("/audit").param("action", "UNMASK_ID_NUMBER").cookie(login("admin")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(forAdmin).contains(">学生 " + id + "<").doesNotContain(Masking.name(name));
        String all = mvc.perform(get("/audit").cookie(login("zizhu"))).andExpect(status().isOk()).andReturn()
                .getResponse().getContentAsString(StandardCharsets.UTF_8);
        String rows = all.substring(all.indexOf("id=\"audit-table\""));
        assertThat(rows).doesNotContainPattern(">[A-Z]{2,}_[A-Z_]+<").doesNotContain("{&quot;");
        byte[] xlsx = mvc.perform(get("/audit/export").param("action", "UNMASK_ID_NUMBER").cookie(login("zizhu")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
        try (var wb = new org.apache.poi.xssf.usermodel.XSSFWorkbook(new ByteArrayInputStream(xlsx))) {
            var row = wb.getSheetAt(0).getRow(1);
            assertThat(row.getCell(4).getStringCellValue()).isEqualTo("查看完整身份证号");
            assertThat(row.getCell(5).getStringCellValue()).startsWith("学生 ").contains("*");
        }
    }

    // ------------------------------------------------------------------ import

    @Test
    void valuesAColumnCannotHoldAndImplausibleOnesAreRefusedWithAMessageNotA500() throws Exception {
        String school = schoolOf("xuexiao");
        // A 90-year-old first-grader is a typo, named by row and field.
        String old = id("19360304", 61);
        String csv = "学籍号,姓名,身份证号,学校标识码,学段,年级,学籍状态\n"
                + "G" + old + ",测试庚," + old + "," + school + ",小学,1,在读\n";
        String body = mvc.perform(multipart("/api/v1/imports/students").file(new MockMultipartFile("file", "../../学生.csv",
                        "text/csv", csv.getBytes(StandardCharsets.UTF_8))).param("dryRun", "true")
                        .header("Authorization", bearer("xuexiao")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(body).contains("\"rejected\":1").contains("现年 90 岁").contains("\"row\":2");
        // The file named "../../学生.csv" was kept under a name of the system's own, inside the import's folder.
        String importId = body.replaceAll(".*\"importId\":\"([^\"]+)\".*", "$1");
        String stored = jdbc.sql("SELECT stored_path FROM import_job WHERE id = :id").param("id", importId)
                .query(String.class).single();
        assertThat(Path.of(stored).getFileName().toString()).isEqualTo("original.csv.sealed");
        assertThat(Path.of(stored).getParent().getFileName().toString()).isEqualTo(importId);
        assertThat(openStored(stored, importId)).isEqualTo(csv);
        assertThat(jdbc.sql("SELECT original_filename FROM import_job WHERE id = :id").param("id", importId)
                .query(String.class).single()).isEqualTo("学生.csv");
        mvc.perform(multipart("/api/v1/imports/students").file(new MockMultipartFile("file", "..", "text/csv",
                        csv.getBytes(StandardCharsets.UTF_8))).header("Authorization", bearer("xuexiao")))
                .andExpect(status().isBadRequest());
        // An old .xls workbook is refused whole, with what to do.
        mvc.perform(multipart("/api/v1/imports/students").file(new MockMultipartFile("file", "学生.xls",
                        "application/vnd.ms-excel", new byte[]{(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, 0, 0, 0, 0}))
                        .header("Authorization", bearer("xuexiao")))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.message").value(
                        org.hamcrest.Matchers.containsString(".xlsx")));
        // Edits with values the columns cannot hold: a message on the form, nothing written.
        long student = studentOfSchool(school, true);
        var session = login("xuexiao");
        String page = mvc.perform(post("/students/" + student + "/edit").cookie(session).with(csrf())
                        .param("version", "0").param("name", "测试").param("ethnicity", "汉".repeat(30))
                        .param("status", "IN_SCHOOL"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(page).contains("超过最大长度 20 个字");
        long household = jdbc.sql("SELECT MIN(h.id) FROM household h WHERE h.region_code LIKE '421182%'")
                .query(Long.class).single();
        String hpage = mvc.perform(post("/households/" + household + "/edit").cookie(login("zizhu")).with(csrf())
                        .param("version", "0").param("headName", "测试户主").param("incomePerHead", "100000000000000000000"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(hpage).contains("100,000,000");
        // A 200-character user name at sign-in: refused as any wrong sign-in, not a 500.
        mvc.perform(post("/api/v1/auth/token").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"username\":\"" + "u".repeat(200) + "\",\"password\":\"x\"}"))
                .andExpect(status().isUnauthorized());
        // The pages carry a content security policy and keep their URLs from other sites.
        mvc.perform(get("/login")).andExpect(MockMvcResultMatchers.header()
                        .string("Content-Security-Policy", org.hamcrest.Matchers.containsString("object-src 'none'")))
                .andExpect(MockMvcResultMatchers.header()
                        .string("Referrer-Policy", "same-origin"));
    }

    @Test
    void anImportAcceptsExactlyTheGoodRowsAndNamesEachBadRowsProblem() throws Exception {
        String school = schoolOf("xuexiao");
        String a = id("20150304", 11);
        String b = id("20160506", 22);
        String csv = "学籍号,姓名,身份证号,性别,出生日期,学校标识码,学段,年级,班级,学籍状态\n"
                + "G" + a + ",测试甲,"+ a + ",男,2015-03-04," + school + ",小学,4,4(1)班,在读\n"          // row 2 ok
                + "G" + b + ",测试乙," + b + ",女,2016-05-06," + school + ",小学,3,3(2)班,在读\n"         // row 3 ok
                + "G" + badCheckDigit(id("20150101", 31)) + ",测试丙," + badCheckDigit(id("20150101", 31))
                + ",男,2015-01-01," + school + ",小学,4,,在读\n"                                           // row 4 check digit
                + "G" + id("20150202", 41) + ",测试丁," + id("20150202", 41) + ",男,2015-02-03," + school
                + ",小学,4,,在读\n"                                                                           // row 5 birth date
                + "G" + id("20150303", 51) + ",测试戊," + id("20150303", 51) + ",男,2015-03-03,9999999999,小学,4,,在读\n" // row 6 school
                + "G" + a + ",测试己," + a + ",男,2015-03-04," + school + ",小学,4,,在读\n"                   // row 7 duplicate
                + "G" + id("20150404", 61) + ",," + id("20150404", 61) + ",男,2015-04-04," + school + ",小学,4,,在读\n"; // row 8 name
        String auth = bearer("zizhu");
        // A dry run reports the same and writes nothing.
        String dry = mvc.perform(multipart("/api/v1/imports/students").file(csvFile("students.csv", csv, StandardCharsets.UTF_8))
                        .param("dryRun", "true").header("Authorization", auth))
                .andExpect(status().isOk()).andExpect(jsonPath("$.accepted").value(2))
                .andExpect(jsonPath("$.rejected").value(5)).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(countPerson(a)).isZero();
        String dryId = dry.replaceAll(".*\"importId\":\"([^\"]+)\".*", "$1");

        // The dry run's rows are imported without sending the file again — by whoever ran it, and once.
        mvc.perform(post("/api/v1/imports/" + dryId + "/commit").header("Authorization", bearer("hm-zizhu")))
                .andExpect(status().isForbidden());
        assertThat(countPerson(a)).isZero();
        String body = mvc.perform(post("/api/v1/imports/" + dryId + "/commit").header("Authorization", auth))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.accepted").value(2))
                .andExpect(jsonPath("$.rejected").value(5))
                .andExpect(jsonPath("$.errors[0].row").value(4))
                .andExpect(jsonPath("$.errors[0].field").value("身份证号"))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(body).contains("校验位").contains("出生日期与身份证号不符").contains("学校 9999999999 不存在")
                .contains("与本文件中前面的行重复").contains("必填项为空");
        assertThat(body).contains("\"dryRun\":false");
        mvc.perform(post("/api/v1/imports/" + dryId + "/commit").header("Authorization", auth))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.message").value("这次试导入的文件已经导入过了，不会重复导入。"));
        assertThat(countPerson(a)).isEqualTo(1);
        assertThat(countPerson(b)).isEqualTo(1);
        // The original file is kept with the import record.
        String importId = body.replaceAll(".*\"importId\":\"([^\"]+)\".*", "$1");
        String stored = jdbc.sql("SELECT stored_path FROM import_job WHERE id = :id").param("id", importId)
                .query(String.class).single();
        // Sealed (ADR 0011): no ID of the list is in the file's bytes, and the files key opens it to what was sent.
        assertThat(new String(Files.readAllBytes(Path.of(stored)), StandardCharsets.ISO_8859_1)).doesNotContain(a)
                .doesNotContain(b);
        assertThat(openStored(stored, importId)).isEqualTo(csv);
        // The error report lists every rejected row.
        byte[] report = mvc.perform(get("/api/v1/imports/" + importId + "/errors.xlsx").header("Authorization", auth))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
        List<List<String>> rows = readXlsx(report);
        assertThat(rows.subList(1, rows.size()).stream().map(r -> r.get(0)).distinct())
                .containsExactly("4", "5", "6", "7", "8");
        // It carries the rows as they were sent, between the row number and the problems; corrected, the same
        // workbook goes back in as it is.
        assertThat(rows.get(0)).containsExactly("行号", "学籍号", "姓名", "身份证号", "性别", "出生日期", "学校标识码", "学段",
                "年级", "班级", "学籍状态", "问题说明");
        List<String> birthRow = rows.stream().filter(r -> r.get(0).equals("5")).findFirst().orElseThrow();
        assertThat(birthRow.subList(1, 11)).containsExactly("G" + id("20150202", 41), "测试丁", id("20150202", 41), "男",
                "2015-02-03", school, "小学", "4", "", "在读");
        assertThat(birthRow.get(11)).contains("出生日期").contains("出生日期与身份证号不符");
        List<String> fixed = new ArrayList<>(birthRow);
        fixed.set(5, "2015-02-02");
        ByteArrayOutputStream corrected = new ByteArrayOutputStream();
        try (Xlsx x = new Xlsx(corrected, "错误报告", rows.get(0))) {
            x.row(rows.stream().filter(r -> r.get(0).equals("4")).findFirst().orElseThrow());
            x.row(fixed);
        }
        mvc.perform(multipart("/api/v1/imports/students").file(new MockMultipartFile("file",
                        "导入错误报告.xlsx", Downloads.XLSX, corrected.toByteArray()))
                        .header("Authorization", auth))
                .andExpect(status().isOk()).andExpect(jsonPath("$.accepted").value(1))
                .andExpect(jsonPath("$.rejected").value(1)).andExpect(jsonPath("$.errors[0].row").value(2));
        assertThat(countPerson(id("20150202", 41))).isEqualTo(1);

        // Re-importing updates by 学籍号 instead of duplicating.
        String again = "学籍号,姓名,身份证号,学校标识码,学段,年级,班级,学籍状态\n"
                + "G" + a + ",测试甲," + a + "," + school + ",小学,5,5(3)班,在读\n";
        mvc.perform(multipart("/api/v1/imports/students").file(csvFile("again.csv", again, StandardCharsets.UTF_8))
                .header("Authorization", auth)).andExpect(jsonPath("$.accepted").value(1));
        assertThat(jdbc.sql("SELECT class_name FROM enrolment WHERE student_no_index = :n").param("n", crypto.index("G" + a))
                .query(String.class).single()).isEqualTo("5(3)班");
        assertThat(countPerson(a)).isEqualTo(1);
    }

    /** An uploaded original as it was sent, opened with the files key. */
    String openStored(String stored, String importId) throws IOException {
        try (var in = crypto.opening(Files.newInputStream(Path.of(stored)), "import:" + importId + "/original")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The clear ID number of a person row's sealed one. */
    String clearId(String sealed) {
        return crypto.open(FieldCrypto.Kind.ID_NUMBER, sealed);
    }

    @Override
    public FieldCrypto crypto() {
        return crypto;
    }

    private long countPerson(String idNumber) {
        return jdbc.sql("SELECT COUNT(*) FROM person WHERE id_index = :i").param("i", crypto.index(idNumber))
                .query(Long.class).single();
    }

    @Test
    void aFileWithWrongColumnsOrNotASpreadsheetIsRefusedWhole() throws Exception {
        String auth = bearer("zizhu");
        mvc.perform(multipart("/api/v1/imports/students").file(csvFile("x.csv", "姓名,电话\n张三,123\n",
                        StandardCharsets.UTF_8)).header("Authorization", auth))
                .andExpect(status().isBadRequest())
                .andExpect(result -> assertThat(result.getResponse().getContentAsString(StandardCharsets.UTF_8))
                        .contains("缺少的列").contains("学籍号").contains("电话"));
        mvc.perform(multipart("/api/v1/imports/students").file(new MockMultipartFile("file", "x.xlsx",
                        "application/octet-stream", "not a spreadsheet".getBytes())).header("Authorization", auth))
                .andExpect(status().isBadRequest())
                .andExpect(result -> assertThat(result.getResponse().getContentAsString(StandardCharsets.UTF_8))
                        .contains("请上传 .xlsx 或 .csv"));
        mvc.perform(multipart("/api/v1/imports/students").file(csvFile("empty.csv", "学籍号,姓名,身份证号,学校标识码,学段,学籍状态\n",
                        StandardCharsets.UTF_8)).header("Authorization", auth))
                .andExpect(status().isBadRequest());
    }

    @Test
    void gbkCsvAndXlsxFilesImport() throws Exception {
        String school = schoolOf("xuexiao");
        String c = id("20140708", 71);
        String gbk = "学籍号,姓名,身份证号,学校标识码,学段,学籍状态\nG" + c + ",测试庚," + c + "," + school + ",小学,在读\n";
        String auth = bearer("zizhu");
        mvc.perform(multipart("/api/v1/imports/students").file(csvFile("gbk.csv", gbk, Charset.forName("GBK")))
                .header("Authorization", auth)).andExpect(jsonPath("$.accepted").value(1));
        assertThat(jdbc.sql("SELECT name FROM person WHERE id_index = :i").param("i", crypto.index(c)).query(String.class).single())
                .isEqualTo("测试庚");

        String d = id("20140809", 81);
        Path tmp = Files.createTempFile("import", ".xlsx");
        try (var out = Files.newOutputStream(tmp); Xlsx x = new Xlsx(out, "s",
                List.of("学籍号", "姓名", "身份证号", "学校标识码", "学段", "学籍状态"))) {
            x.row(List.of("G" + d, "测试辛", d, school, "小学", "在读"));
            x.row(List.of("G" + d, "测试辛", d, school, "大学", "在读"));
        }
        mvc.perform(multipart("/api/v1/imports/students").file(new MockMultipartFile("file", "s.xlsx",
                        "application/octet-stream", Files.readAllBytes(tmp))).header("Authorization", auth))
                .andExpect(jsonPath("$.accepted").value(1)).andExpect(jsonPath("$.rejected").value(1))
                .andExpect(jsonPath("$.errors[?(@.field == '学段')].row").value(3));
    }

    @Test
    void aSchoolOperatorCannotImportIntoAnotherSchool() throws Exception {
        String own = schoolOf("xuexiao");
        String other = studentSchool(studentOfSchool(own, false));
        String e = id("20130910", 91);
        String csv = "学籍号,姓名,身份证号,学校标识码,学段,学籍状态\nG" + e + ",测试壬," + e + "," + other + ",小学,在读\n";
        mvc.perform(multipart("/api/v1/imports/students").file(csvFile("s.csv", csv, StandardCharsets.UTF_8))
                        .header("Authorization", bearer("xuexiao")))
                .andExpect(jsonPath("$.accepted").value(0))
                .andExpect(jsonPath("$.errors[0].message").value("不在您的数据范围内"));
    }

    @Test
    void aPersonRegisteredInAnotherHouseholdIsNotMovedSilently() throws Exception {
        var existing = jdbc.sql("SELECT s.id_sealed, p.name, p.birth_date, h.region_code FROM person p "
                        + "JOIN person_sealed s ON s.person_id = p.id "
                        + "JOIN household h ON h.id = p.household_id ORDER BY p.id LIMIT 1")
                .query((rs, n) -> new String[]{clearId(rs.getString(1)), rs.getString(2), rs.getString(4)}).single();
        String csv = "户编号,所在村代码,户主姓名,贫困类别,成员姓名,成员身份证号,与户主关系\n"
                + "T000000000000001," + existing[2] + ",测试户主,农村低保户," + existing[1] + "," + existing[0] + ",户主\n";
        String body = mvc.perform(multipart("/api/v1/imports/households").file(csvFile("h.csv", csv, StandardCharsets.UTF_8))
                        .header("Authorization", bearer("zizhu")))
                .andExpect(jsonPath("$.accepted").value(0)).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(body).contains("此人已登记在户");
    }

    @Test
    void templatesDownloadInBothFormats() throws Exception {
        String auth = bearer("zizhu");
        String csv = mvc.perform(get("/api/v1/imports/students/template").param("format", "csv").header("Authorization", auth))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(csv).startsWith("\uFEFF学籍号,姓名,身份证号");
        byte[] xlsx = mvc.perform(get("/api/v1/imports/households/template").param("format", "xlsx").header("Authorization", auth))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
        assertThat(readXlsx(xlsx).get(0)).startsWith("户编号", "所在村代码");
    }

    /**
     * A roster's dry run says what it does to the roster it replaces: two lines as they are, one with a changed
     * exit year, one new person — every other current line of the county removed; nothing is written.
     */
    @Test
    void aRosterDryRunSaysWhomItAddsRemovesAndChanges() throws Exception {
        record Line(String household, String village, String category, String monitoring, Integer identified,
                    Integer exited, String name, String id) {
        }
        List<Line> current = jdbc.sql("""
                SELECT household_no, village_code, category, monitoring_status, identified_year, exited_year, name,
                       id_raw_sealed FROM roster_member WHERE source = 'POVERTY' AND is_current
                AND village_code LIKE '421182%' AND id_index IS NOT NULL ORDER BY id LIMIT 3""")
                .query((rs, n) -> new Line(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        (Integer) rs.getObject(5, Integer.class), (Integer) rs.getObject(6, Integer.class),
                        rs.getString(7), crypto.open(FieldCrypto.Kind.RAW_ID, rs.getString(8))))
                .list();
        long before = jdbc.sql("""
                SELECT COUNT(*) FROM roster_member WHERE source = 'POVERTY' AND is_current AND village_code LIKE '421182%'""")
                .query(Long.class).single();
        Function<Line, String> csv = l -> String.join(",", l.household(), l.village(), l.category(),
                l.monitoring() == null ? "" : l.monitoring(), l.identified() == null ? "" : l.identified().toString(),
                l.exited() == null ? "" : l.exited().toString(), l.name(), l.id());
        Line changed = current.get(2);
        Line moved = new Line(changed.household(), changed.village(), changed.category(), changed.monitoring(),
                changed.identified(), Integer.valueOf(2023).equals(changed.exited()) ? 2022 : 2023, changed.name(),
                changed.id());
        Line added = new Line("4211829999999902", changed.village(), changed.category(), null, 2016, 2019, "测试新增",
                ImportKind.exampleId("421182", "20150101", "996"));
        String file = "householdNo,villageCode,category,monitoringStatus,identifiedYear,exitedYear,memberName,memberIdNumber\n"
                + csv.apply(current.get(0)) + "\n" + csv.apply(current.get(1)) + "\n" + csv.apply(moved) + "\n"
                + csv.apply(added) + "\n";
        String body = mvc.perform(multipart("/api/v1/imports/roster").file(csvFile("roster.csv", file, StandardCharsets.UTF_8))
                        .param("dryRun", "true").header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.accepted").value(4)).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(body).contains("本文件替换本区域现有扶贫名单 " + before + " 人：新增 1 人，移除 " + (before - 3)
                + " 人，信息有变化 1 人，不变 2 人。");
        assertThat(jdbc.sql("""
                SELECT COUNT(*) FROM roster_member WHERE source = 'POVERTY' AND is_current AND village_code LIKE '421182%'""")
                .query(Long.class).single()).isEqualTo(before);
    }

    /** A clerk starts from the template: its example row, as downloaded, passes a dry run (on the demo county). */
    @Test
    void everyTemplatesExampleRowPassesADryRun() throws Exception {
        List<String> failing = new ArrayList<>();
        // Each county's center in both formats, and a school clerk for its pupils. Not payee accounts: its example
        // needs a real pupil, and a template must not carry a child's ID number.
        List<String[]> cases = new ArrayList<>();
        for (String kind : List.of("regions", "schools", "households", "students", "roster", "source-list")) {
            cases.add(new String[] {"zizhu", kind, "xlsx"});
            cases.add(new String[] {"hm-zizhu", kind, "csv"});
        }
        cases.add(new String[] {"xuexiao", "students", "csv"});
        for (String[] c : cases) {
            String auth = bearer(c[0]);
            byte[] template = mvc.perform(get("/api/v1/imports/" + c[1] + "/template").param("format", c[2])
                    .header("Authorization", auth)).andExpect(status().isOk()).andReturn().getResponse()
                    .getContentAsByteArray();
            String body = mvc.perform(multipart("/api/v1/imports/" + c[1]).file(new org.springframework.mock.web
                            .MockMultipartFile("file", c[1] + "." + c[2], "application/octet-stream", template))
                            .param("dryRun", "true").header("Authorization", auth))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
            if (!body.contains("\"accepted\":1,\"rejected\":0")) {
                failing.add(String.join("/", c) + ": " + body);
            }
            // The example's made-up people are nobody: no registered person holds an example ID number.
            String text = c[2].equals("csv") ? new String(template, StandardCharsets.UTF_8)
                    : String.join(",", readXlsx(template).get(1));
            Matcher ids = Pattern.compile("\\b\\d{17}[0-9X]\\b").matcher(text);
            while (ids.find()) {
                assertThat(jdbc.sql("SELECT COUNT(*) FROM person WHERE id_index = :i")
                        .param("i", crypto.index(ids.group())).query(Long.class).single())
                        .as(String.join("/", c) + " example ID").isZero();
            }
        }
        assertThat(failing).isEmpty();
    }

    // ------------------------------------------------------------------ edit with optimistic locking

    @Test
    void aStaleEditIsRefusedAndWhatTheUserTypedIsKept() throws Exception {
        long id = studentOfSchool(schoolOf("xuexiao"), true);
        int version = jdbc.sql("SELECT version FROM enrolment WHERE id = :id").param("id", id).query(Integer.class).single();
        String name = jdbc.sql("SELECT p.name FROM enrolment e JOIN person p ON p.id = e.person_id WHERE e.id = :id")
                .param("id", id).query(String.class).single();
        Cookie s = login("zizhu");
        mvc.perform(post("/students/" + id + "/edit").cookie(s).with(csrf()).param("version", String.valueOf(version))
                        .param("name", name).param("className", "新班级A").param("status", "IN_SCHOOL").param("grade", "2"))
                .andExpect(status().is3xxRedirection());
        // A second user still holds the old version.
        String page = mvc.perform(post("/students/" + id + "/edit").cookie(s).with(csrf())
                        .param("version", String.valueOf(version)).param("name", name).param("className", "旧页面的修改")
                        .param("status", "IN_SCHOOL").param("grade", "2"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(page).contains("他人已在您打开后修改了这条记录").contains("旧页面的修改");
        assertThat(jdbc.sql("SELECT class_name FROM enrolment WHERE id = :id").param("id", id).query(String.class).single())
                .isEqualTo("新班级A");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_event WHERE action = 'STUDENT_UPDATE' AND target_id = :id")
                .param("id", String.valueOf(id)).query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void aVillageCadreEditsOnlyHouseholdsOfTheVillage() throws Exception {
        String village = schoolOf("cunwei"); // scope_code of the village account
        long own = jdbc.sql("SELECT MIN(id) FROM household WHERE region_code = :v").param("v", village)
                .query(Long.class).single();
        long other = jdbc.sql("SELECT MIN(id) FROM household WHERE region_code <> :v").param("v", village)
                .query(Long.class).single();
        int version = jdbc.sql("SELECT version FROM household WHERE id = :id").param("id", own).query(Integer.class).single();
        Cookie s = login("cunwei");
        mvc.perform(get("/households/" + other).cookie(s)).andExpect(status().isForbidden());
        mvc.perform(post("/households/" + own + "/edit").cookie(s).with(csrf()).param("version", String.valueOf(version))
                        .param("headName", "测试户主").param("category", "LIFTED").param("incomePerHead", "9876.5")
                        .param("identifiedYear", "2015").param("exitedYear", "2018").param("housingSafe", "true"))
                .andExpect(status().is3xxRedirection());
        assertThat(jdbc.sql("SELECT income_per_head FROM household WHERE id = :id").param("id", own)
                .query(BigDecimal.class).single()).isEqualByComparingTo("9876.50");
        String page = mvc.perform(post("/households/" + own + "/edit").cookie(s).with(csrf())
                        .param("version", String.valueOf(version)).param("headName", "过期修改").param("category", "LIFTED"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(page).contains("他人已在您打开后修改了这条记录").contains("过期修改");
        String bad = mvc.perform(post("/households/" + own + "/edit").cookie(s).with(csrf())
                        .param("version", String.valueOf(version + 1)).param("headName", "测试户主")
                        .param("incomePerHead", "abc"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(bad).contains("须为金额数字");
        mvc.perform(get("/households/" + own + "/edit").cookie(login("xuexiao"))).andExpect(status().isForbidden());
        mvc.perform(get("/api/v1/households").header("Authorization", bearer("cunwei")))
                .andExpect(jsonPath("$.total").value(jdbc.sql("SELECT COUNT(*) FROM household WHERE region_code = :v")
                        .param("v", village).query(Long.class).single()));
    }

    @Test
    void evaluatorsAndLeadersCannotEdit() throws Exception {
        long id = studentOfSchool(schoolOf("xuexiao"), true);
        mvc.perform(get("/students/" + id + "/edit").cookie(login("pinggu"))).andExpect(status().isForbidden());
    }

    // ------------------------------------------------------------------ audit

    @Test
    void aTruncatedAuditLogIsDetectedByTheCheckpointOutsideTheDatabase() throws Exception {
        String auth = bearer("admin");
        // An intact verification writes the head down outside the database.
        mvc.perform(get("/api/v1/audit-events/verify").header("Authorization", auth))
                .andExpect(jsonPath("$.intact").value(true));
        long head = jdbc.sql("SELECT last_id FROM audit_chain_head WHERE id = 1").query(Long.class).single();
        var removed = jdbc.sql("SELECT * FROM audit_event WHERE id = :id").param("id", head).query().listOfRows().get(0);
        String previousHash = jdbc.sql("SELECT hash FROM audit_event WHERE id = :id").param("id", head - 1)
                .query(String.class).single();
        String headHash = jdbc.sql("SELECT last_hash FROM audit_chain_head WHERE id = 1").query(String.class).single();
        // Someone with the database removes the last record and makes the head row agree: the chain alone is intact.
        jdbc.sql("DELETE FROM audit_event WHERE id = :id").param("id", head).update();
        jdbc.sql("UPDATE audit_chain_head SET last_id = :i, last_hash = :h WHERE id = 1").param("i", head - 1)
                .param("h", previousHash).update();
        try {
            mvc.perform(get("/api/v1/audit-events/verify").header("Authorization", auth))
                    .andExpect(jsonPath("$.intact").value(false))
                    .andExpect(jsonPath("$.behindCheckpoint").value(true))
                    .andExpect(jsonPath("$.checkpointId").value(head));
        } finally {
            jdbc.sql("""
                    INSERT INTO audit_event (id, occurred_at, actor, actor_role, action, target_type, target_id, scope,
                                             details, client_ip, prev_hash, hash, scope_region)
                    VALUES (:id, :occurred_at, :actor, :actor_role, :action, :target_type, :target_id, :scope, :details,
                            :client_ip, :prev_hash, :hash, :scope_region)""").params(removed).update();
            jdbc.sql("UPDATE audit_chain_head SET last_id = :i, last_hash = :h WHERE id = 1").param("i", head)
                    .param("h", headHash).update();
        }
        mvc.perform(get("/api/v1/audit-events/verify").header("Authorization", auth))
                .andExpect(jsonPath("$.intact").value(true));
    }

    @Test
    void aCorruptedAuditRecordIsDetected() throws Exception {
        String auth = bearer("zizhu");
        mvc.perform(get("/api/v1/audit-events/verify").header("Authorization", auth))
                .andExpect(jsonPath("$.intact").value(true));
        long victim = jdbc.sql("SELECT MIN(id) FROM audit_event WHERE action = 'ACCOUNT_CREATE'").query(Long.class).single();
        String original = jdbc.sql("SELECT details FROM audit_event WHERE id = :id").param("id", victim)
                .query(String.class).single();
        jdbc.sql("UPDATE audit_event SET details = :d WHERE id = :id").param("d", "{\"role\":\"CENTER\"}")
                .param("id", victim).update();
        try {
            mvc.perform(get("/api/v1/audit-events/verify").header("Authorization", auth))
                    .andExpect(jsonPath("$.intact").value(false))
                    .andExpect(jsonPath("$.firstBrokenId").value(victim));
            String page = mvc.perform(post("/audit/verify").cookie(login("zizhu")).with(csrf()))
                    .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
            assertThat(page).contains("审计日志被篡改").contains("第 " + victim + " 号记录");
        } finally {
            jdbc.sql("UPDATE audit_event SET details = :d WHERE id = :id").param("d", original).param("id", victim).update();
        }
        mvc.perform(get("/api/v1/audit-events/verify").header("Authorization", auth))
                .andExpect(jsonPath("$.intact").value(true));
    }

    @Test
    void theAuditLogIsSearchableButNotBySchools() throws Exception {
        mvc.perform(get("/api/v1/audit-events").param("action", "LOGIN_SUCCESS").header("Authorization", bearer("pinggu")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.items[0].action").value("LOGIN_SUCCESS"));
        mvc.perform(get("/api/v1/audit-events").header("Authorization", bearer("xuexiao")))
                .andExpect(status().isForbidden());
    }

    @Test
    void theAuditLogAndRegionsExportToExcel() throws Exception {
        List<List<String>> audit = readXlsx(mvc.perform(get("/api/v1/audit-events/export").param("action", "ACCOUNT_CREATE")
                .header("Authorization", bearer("pinggu"))).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsByteArray());
        assertThat(audit.get(0)).contains("操作人", "动作");
        // The evaluator reads the accounts created in its county, not the second county's.
        assertThat(audit.size() - 1L).isEqualTo(jdbc.sql("SELECT COUNT(*) FROM audit_event WHERE action = 'ACCOUNT_CREATE'"
                + " AND scope_region LIKE '421182%'").query(Long.class).single()).isGreaterThan(400);
        List<List<String>> regions = readXlsx(mvc.perform(get("/api/v1/regions/421182000000/children/export")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsByteArray());
        assertThat(regions).hasSize(13);
        mvc.perform(get("/api/v1/audit-events/export").header("Authorization", bearer("xuexiao")))
                .andExpect(status().isForbidden());
    }

    @Test
    void whatIfEvaluationReturnsAlkireFosterAggregates() throws Exception {
        String body = """
                {"model":{"k":0.5,"indicators":[
                  {"code":"income","dimension":"economy","weight":2,"attribute":"income","operator":"<","cutoff":4000},
                  {"code":"school","dimension":"schooling","weight":1,"attribute":"schoolYears","operator":"<","cutoff":6},
                  {"code":"health","dimension":"health","weight":1,"attribute":"disabled","operator":"==","cutoff":true}],
                  "bands":[{"level":"特别困难","min":0.75},{"level":"困难","min":0.5}]},
                 "records":[
                  {"id":"A","values":{"income":3000,"schoolYears":8,"disabled":false}},
                  {"id":"B","values":{"income":5000,"schoolYears":4,"disabled":true}},
                  {"id":"C","values":{"income":2000,"schoolYears":3,"disabled":true}},
                  {"id":"D","weight":3,"values":{"income":6000,"schoolYears":5,"disabled":false}}]}""";
        mvc.perform(post("/api/v1/identification/evaluate").contentType(MediaType.APPLICATION_JSON).content(body)
                        .header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.aggregates.n").value(6.0))
                .andExpect(jsonPath("$.aggregates.q").value(3.0))
                .andExpect(jsonPath("$.aggregates.H").value(0.5))
                .andExpect(jsonPath("$.aggregates.contribution.income").value(50.0))
                .andExpect(jsonPath("$.records[2].level").value("特别困难"))
                .andExpect(jsonPath("$.records[3].poor").value(false));
        String bad = body.replace("\"operator\":\"<\",\"cutoff\":4000", "\"operator\":\"exec\",\"cutoff\":4000");
        mvc.perform(post("/api/v1/identification/evaluate").contentType(MediaType.APPLICATION_JSON).content(bad)
                        .header("Authorization", bearer("zizhu")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("model.indicators[0].operator"));
        mvc.perform(post("/api/v1/identification/evaluate").contentType(MediaType.APPLICATION_JSON).content(body)
                .header("Authorization", bearer("xuexiao"))).andExpect(status().isForbidden());
    }

    @Test
    void theDefaultModelRunsOnLiveDataAndADraftShowsWhoEntersAndLeaves() throws Exception {
        String auth = bearer("zizhu");
        mvc.perform(get("/api/v1/identification/models/default").header("Authorization", auth))
                .andExpect(status().isOk()).andExpect(jsonPath("$.model.indicators[0].expression").exists());
        // The in-school students of Wuxue: taught there or living there (the second county is not the center's).
        long inSchool = jdbc.sql("""
                SELECT COUNT(*) FROM enrolment e JOIN person p ON p.id = e.person_id
                LEFT JOIN household h ON h.id = p.household_id
                WHERE e.status = 'IN_SCHOOL' AND (e.school_region_code LIKE '421182%' OR h.region_code LIKE '421182%')""")
                .query(Long.class).single();
        String base = mvc.perform(post("/api/v1/identification/evaluate/live").header("Authorization", auth))
                .andExpect(status().isOk()).andExpect(jsonPath("$.students").value(inSchool))
                .andExpect(jsonPath("$.aggregates.n").value((double) inSchool))
                .andExpect(jsonPath("$.byStage.PRIMARY.n").exists())
                .andExpect(jsonPath("$.comparison").doesNotExist())
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        double q = Double.parseDouble(base.replaceAll(".*?\"aggregates\":\\{\"n\":[0-9.]+,\"q\":([0-9.]+).*", "$1"));
        assertThat(q).isPositive();
        // A stricter draft (k = 1: deprived in everything) can only remove students, never add them.
        String draft = """
                {"model":{"k":1,"indicators":[
                  {"code":"income","weight":1,"expression":"household.incomePerHead != null and household.incomePerHead < 6000"},
                  {"code":"leftBehind","weight":1,"expression":"student.leftBehind == true"}],
                  "bands":[{"level":"特别困难","min":1}]}}""";
        mvc.perform(post("/api/v1/identification/evaluate/live").contentType(MediaType.APPLICATION_JSON).content(draft)
                        .header("Authorization", auth))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.comparison.entered").value(0))
                .andExpect(result -> assertThat(Long.parseLong(result.getResponse().getContentAsString()
                        .replaceAll(".*\"left\":(\\d+).*", "$1"))).isPositive());
        // A school sees only its own students.
        long own = jdbc.sql("SELECT COUNT(*) FROM enrolment WHERE status = 'IN_SCHOOL' AND school_code = :s")
                .param("s", schoolOf("xuexiao")).query(Long.class).single();
        mvc.perform(post("/api/v1/identification/evaluate/live").header("Authorization", bearer("pinggu")))
                .andExpect(jsonPath("$.students").value(inSchool));
        mvc.perform(post("/api/v1/identification/evaluate/live").header("Authorization", bearer("xuexiao")))
                .andExpect(status().isForbidden());
        assertThat(own).isPositive();
    }

    /**
     * Linkage quality on the demo roster against the generator's truth (same seed, so the same typos). Prints
     * the figures recorded in docs/benchmarks.md.
     */
    @Test
    void linkageOfTheNoisyDemoRosterIsPreciseAndComplete() throws Exception {
        Path dir = Files.createTempDirectory("truth");
        var out = DemoGenerator.generate(dir, DemoGenerator.Scale.COUNTY, 20260901L);
        Map<String, String> truth = new HashMap<>();
        Map<String, String> noiseOf = new HashMap<>();
        Tabular.read(out.rosterTruth(), Tabular.Format.CSV, (n, cells) -> {
            if (n > 1) {
                truth.put(cells.get(0) + "|" + cells.get(1), cells.get(2));
                noiseOf.put(cells.get(0) + "|" + cells.get(1), cells.get(3));
            }
        });
        long[] c = new long[5]; // members, linked, correct, review, review-correct
        Map<String, long[]> byNoise = new TreeMap<>();
        jdbc.sql("""
                SELECT r.household_no, r.id_raw_sealed, l.status, s.id_sealed
                FROM roster_member r LEFT JOIN roster_link l ON l.roster_member_id = r.id
                LEFT JOIN person_sealed s ON s.person_id = l.person_id WHERE r.is_current AND r.village_code LIKE '421182%'""")
                .query(rs -> {
            String key = rs.getString(1) + "|" + crypto.open(FieldCrypto.Kind.RAW_ID, rs.getString(2));
            String expected = truth.get(key);
            String status = rs.getString(3);
            boolean right = expected != null && rs.getString(4) != null && expected.equals(clearId(rs.getString(4)));
            long[] nb = byNoise.computeIfAbsent(String.valueOf(noiseOf.get(key)), k -> new long[3]);
            c[0]++;
            nb[0]++;
            if ("LINKED".equals(status)) {
                c[1]++;
                if (right) {
                    c[2]++;
                    nb[1]++;
                }
            } else if ("REVIEW".equals(status)) {
                c[3]++;
                nb[2]++;
                if (right) {
                    c[4]++;
                }
            }
        });
        double precision = (double) c[2] / c[1];
        double recall = (double) c[2] / c[0];
        StringBuilder noise = new StringBuilder();
        byNoise.forEach((k, v) -> noise.append(k).append(' ').append(v[1]).append('/').append(v[0])
                .append(" linked, ").append(v[2]).append(" in review; "));
        System.out.printf("LINKAGE QUALITY (%s): members=%d linked=%d correct=%d review=%d (right pair %d) "
                        + "precision=%.4f recall=%.4f recall+review=%.4f%n  by noise: %s%n", getClass().getSimpleName(),
                c[0], c[1], c[2], c[3], c[4], precision, recall, (double) (c[2] + c[4]) / c[0], noise);
        assertThat(c[0]).isEqualTo(truth.size());
        assertThat(precision).isGreaterThanOrEqualTo(0.995);
        assertThat(recall).isGreaterThanOrEqualTo(0.99);
        assertThat((double) (c[2] + c[4]) / c[0]).isGreaterThanOrEqualTo(0.995);
    }

    @Test
    void anUncertainPairWaitsForAClerkWhoseDecisionIsKept() throws Exception {
        // A registered-poor student already on the roster, listed a second time in their family with an unrelated
        // ID number and another township's village: probably the same child, not certainly. Their status does not
        // change.
        var person = jdbc.sql("""
                SELECT p.name, p.birth_date, p.gender, p.id, h.region_code, h.household_no FROM person p
                JOIN enrolment e ON e.person_id = p.id JOIN household h ON h.id = p.household_id
                WHERE p.id IN (SELECT person_id FROM person_poverty_status) ORDER BY p.id LIMIT 1""")
                .query((rs, n) -> new Object[]{rs.getString(1), rs.getDate(2).toLocalDate(), rs.getString(3),
                        rs.getLong(4), rs.getString(5), rs.getString(6)}).single();
        LocalDate birth = (LocalDate) person[1];
        String otherVillage = ((String) person[4]).startsWith("421182112") ? "421182101225" : "421182112225";
        String otherId = id(birth.toString().replace("-", ""), 997);
        jdbc.sql("""
                INSERT INTO roster_member (import_id, source, household_no, village_code, category, name, id_raw_sealed,
                       id_raw_masked, id_index, gender, birth_date, is_current, imported_at)
                VALUES ('test-review', 'POVERTY', :household, :village, 'MARGINAL', :name, :raw, :masked, :id, :g, :b, TRUE,
                        :at)""")
                .param("household", person[5]).param("village", otherVillage).param("masked", Masking.idNumber(otherId))
                .param("name", person[0]).param("raw", crypto.seal(FieldCrypto.Kind.RAW_ID, otherId))
                .param("id", crypto.index(otherId)).param("g", person[2])
                .param("b", Date.valueOf(birth)).param("at", Timestamp.from(Instant.now()))
                .update();
        long memberId = jdbc.sql("SELECT id FROM roster_member WHERE import_id = 'test-review'").query(Long.class).single();
        try {
            String auth = bearer("zizhu");
            mvc.perform(post("/api/v1/identification/linkage/run").header("Authorization", auth))
                    .andExpect(status().isOk()).andExpect(jsonPath("$.review").value(org.hamcrest.Matchers.greaterThan(0)));
            // The weights were estimated from this run's candidate pairs (EM), with the defaults as a prior.
            mvc.perform(get("/api/v1/identification/linkage/weights").header("Authorization", auth))
                    .andExpect(jsonPath("$.source").value("ESTIMATED"))
                    .andExpect(jsonPath("$.rows[?(@.field == 'name' && @.level == 'EXACT')].weight")
                            .value(org.hamcrest.Matchers.contains(org.hamcrest.Matchers.greaterThan(5.0))));
            // Each county's center sees the weights of its own county's last run, also after another county has run.
            double wuxueShare = com.jayway.jsonpath.JsonPath.<Number>read(mvc.perform(
                    get("/api/v1/identification/linkage/weights").header("Authorization", auth)).andReturn()
                    .getResponse().getContentAsString(), "$.matchShare").doubleValue();
            String huangmei = bearer("hm-zizhu");
            mvc.perform(post("/api/v1/identification/linkage/run").header("Authorization", huangmei))
                    .andExpect(status().isOk());
            double huangmeiShare = com.jayway.jsonpath.JsonPath.<Number>read(mvc.perform(
                    get("/api/v1/identification/linkage/weights").header("Authorization", huangmei)).andReturn()
                    .getResponse().getContentAsString(), "$.matchShare").doubleValue();
            assertThat(huangmeiShare).as("Huangmei's own estimate").isNotEqualTo(wuxueShare);
            mvc.perform(get("/api/v1/identification/linkage/weights").header("Authorization", auth))
                    .andExpect(jsonPath("$.matchShare").value(wuxueShare));
            // A second run on unchanged data rewrites nothing: every link, and the pair waiting in the queue, stays as
            // stored (a province re-run would otherwise delete and insert two million links).
            Timestamp last = jdbc.sql("SELECT MAX(decided_at) FROM roster_link")
                    .query(Timestamp.class).single();
            mvc.perform(post("/api/v1/identification/linkage/run").header("Authorization", auth))
                    .andExpect(status().isOk()).andExpect(jsonPath("$.review").value(org.hamcrest.Matchers.greaterThan(0)));
            assertThat(jdbc.sql("SELECT COUNT(*) FROM roster_link WHERE decided_at > :t").param("t", last)
                    .query(Long.class).single()).isZero();
            mvc.perform(get("/api/v1/identification/review").header("Authorization", auth))
                    .andExpect(jsonPath("$.items[?(@.rosterMemberId == " + memberId + ")].personId").value((int) (long) (Long) person[3]))
                    .andExpect(jsonPath("$.items[?(@.rosterMemberId == " + memberId + ")].evidence[?(@.field == 'name')].agreement")
                            .value("EXACT"));
            // The clerk sees the candidate's details whichever block found the pair — here the line's birth date is
            // then corrected to one far from the candidate's, so a look-up by the line's birth date finds no one.
            jdbc.sql("UPDATE roster_member SET birth_date = :b WHERE id = :id").param("id", memberId)
                    .param("b", Date.valueOf(birth.minusYears(20))).update();
            mvc.perform(get("/api/v1/identification/review").header("Authorization", auth))
                    .andExpect(jsonPath("$.items[?(@.rosterMemberId == " + memberId + ")].personName").value(person[0]))
                    .andExpect(jsonPath("$.items[?(@.rosterMemberId == " + memberId + ")].personBirth")
                            .value(birth.toString()));
            jdbc.sql("UPDATE roster_member SET birth_date = :b WHERE id = :id").param("id", memberId)
                    .param("b", Date.valueOf(birth)).update();
            String page = mvc.perform(get("/identification/linkage").cookie(login("zizhu")))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
            assertThat(page).contains((String) person[0]).contains("是同一人").contains("完全一致");
            String version = jdbc.sql("SELECT version FROM roster_link WHERE roster_member_id = :id")
                    .param("id", memberId).query(Integer.class).single().toString();
            mvc.perform(post("/api/v1/identification/review/" + memberId + "/accept").param("version", version)
                    .header("Authorization", auth)).andExpect(status().isOk());
            // A second clerk holding the old version is told, not silently overruled.
            mvc.perform(post("/api/v1/identification/review/" + memberId + "/reject").param("version", version)
                    .header("Authorization", auth)).andExpect(status().isConflict());
            // The decision survives a new linkage run.
            mvc.perform(post("/api/v1/identification/linkage/run").header("Authorization", auth)).andExpect(status().isOk());
            assertThat(jdbc.sql("SELECT status || '/' || method FROM roster_link WHERE roster_member_id = :id")
                    .param("id", memberId).query(String.class).single()).isEqualTo("LINKED/CLERICAL");
            assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_event WHERE action = 'LINK_ACCEPT' AND target_id = :id")
                    .param("id", String.valueOf(memberId)).query(Long.class).single()).isEqualTo(1);
            mvc.perform(get("/api/v1/identification/review").header("Authorization", bearer("xuexiao")))
                    .andExpect(status().isForbidden());
            mvc.perform(get("/api/v1/stats/overview").header("Authorization", auth))
                    .andExpect(jsonPath("$.registeredPoorStudents.total").value(6680));
        } finally {
            jdbc.sql("DELETE FROM roster_link WHERE roster_member_id = :id").param("id", memberId).update();
            jdbc.sql("DELETE FROM roster_member WHERE id = :id").param("id", memberId).update();
        }
    }

    /**
     * The demo leaves pairs no machine should decide, each with what a clerk needs to judge it: the ID number's
     * owner with another given name, or a roster line whose own birth-date column is years off the number's.
     */
    @Test
    void theDemoReviewQueueHoldsPairsAClerkCanJudge() throws Exception {
        JsonNode queue = json(mvc.perform(get("/api/v1/identification/review").param("size", "100")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk()));
        List<JsonNode> demo = new ArrayList<>();
        queue.get("items").forEach(demo::add);
        long byName = demo.stream().filter(i -> i.get("evidence").toString().contains("\"idcheck\"")
                && !i.get("rosterName").asString().equals(i.get("personName").asString())).count();
        List<JsonNode> byBirth = demo.stream().filter(i -> !i.get("rosterStatedBirth").isNull()).toList();
        assertThat(byName).isGreaterThanOrEqualTo(2);
        assertThat(byBirth).hasSizeGreaterThanOrEqualTo(2);
        for (JsonNode i : byBirth) {
            // the roster's own column is shown beside the date the ID number gives, and they differ by years
            LocalDate stated = LocalDate.parse(i.get("rosterStatedBirth").asString());
            LocalDate fromId = LocalDate.parse(i.get("rosterBirth").asString());
            assertThat(Math.abs(stated.getYear() - fromId.getYear())).isGreaterThanOrEqualTo(5);
            assertThat(i.get("personBirth").asString()).isEqualTo(fromId.toString());
        }
        // Nobody in the queue is a child: a decision either way changes no child's aid.
        mvc.perform(get("/api/v1/stats/overview").header("Authorization", bearer("zizhu")))
                .andExpect(jsonPath("$.registeredPoorStudents.total").value(6680));
        String page = mvc.perform(get("/identification/linkage").cookie(login("zizhu")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        String table = page.substring(page.indexOf("id=\"review-table\""));
        table = table.substring(0, table.indexOf("</table>"));
        // Villages by name with their township, never a 12-digit code; the roster's other birth date in words.
        assertThat(table).doesNotContainPattern("\\d{12}").contains("名单另填出生日期")
                .containsPattern("(镇|乡|街道) \\S+(村|社区)");
        // The other county's center sees none of Wuxue's pairs.
        JsonNode other = json(mvc.perform(get("/api/v1/identification/review").param("size", "100")
                .header("Authorization", bearer("hm-zizhu"))).andExpect(status().isOk()));
        other.get("items").forEach(i -> assertThat(i.get("rosterVillage").asString()).startsWith("421127"));
    }

    @Test
    void aMemberWithoutABirthDateIsFoundByVillageAndNameSound() throws Exception {
        // The poverty office wrote 不详 for the ID and left the birth date empty: only the village and the name are
        // left, so the second blocking key (village + pinyin sound of the name) must bring the child in.
        var person = jdbc.sql("""
                SELECT p.id, p.name, p.gender, h.region_code FROM person p JOIN enrolment e ON e.person_id = p.id
                JOIN household h ON h.id = p.household_id
                WHERE p.id IN (SELECT person_id FROM person_poverty_status) AND h.region_code LIKE '421182%'
                ORDER BY p.id DESC LIMIT 1""")
                .query((rs, n) -> new Object[]{rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)})
                .single();
        jdbc.sql("""
                INSERT INTO roster_member (import_id, source, household_no, village_code, category, name, id_raw_sealed,
                       id_raw_masked, gender, is_current, imported_at)
                VALUES ('test', 'POVERTY', 'T-SOUND-1', :village, 'LIFTED', :name, :raw, '**', :g, TRUE, :at)""")
                .param("raw", crypto.seal(FieldCrypto.Kind.RAW_ID, "不详")).param("village", person[3]).param("name", person[1]).param("g", person[2])
                .param("at", Timestamp.from(Instant.now())).update();
        long memberId = jdbc.sql("SELECT id FROM roster_member WHERE household_no = 'T-SOUND-1'").query(Long.class)
                .single();
        try {
            mvc.perform(post("/api/v1/identification/linkage/run").header("Authorization", bearer("zizhu")))
                    .andExpect(status().isOk());
            var link = jdbc.sql("SELECT person_id, status, evidence FROM roster_link WHERE roster_member_id = :id")
                    .param("id", memberId).query((rs, n) -> new Object[]{rs.getLong(1), rs.getString(2), rs.getString(3)})
                    .single();
            assertThat(link[0]).isEqualTo(person[0]);
            assertThat((String) link[1]).isIn("LINKED", "REVIEW");
            // No birth date on the line: the field is left out, not counted against the person (issue 10).
            assertThat((String) link[2]).contains("name=EXACT").contains("village=SAME").doesNotContain("birth=");
        } finally {
            jdbc.sql("DELETE FROM roster_link WHERE roster_member_id = :id").param("id", memberId).update();
            jdbc.sql("DELETE FROM roster_member WHERE id = :id").param("id", memberId).update();
            // The person's own line had to compete with this one; without it, it is linked again.
            mvc.perform(post("/api/v1/identification/linkage/run").header("Authorization", bearer("zizhu")))
                    .andExpect(status().isOk());
        }
    }

    @Test
    void registeredPoorStatusIsDerivedFromTheRosterLinks() throws Exception {
        // Every in-school student counted on the dashboard is linked to a current roster member.
        long unlinkedButCounted = jdbc.sql("""
                SELECT COUNT(*) FROM person p JOIN enrolment e ON e.person_id = p.id
                WHERE p.id IN (SELECT person_id FROM person_poverty_status) AND NOT EXISTS (SELECT 1 FROM roster_link l
                  JOIN roster_member r ON r.id = l.roster_member_id
                  WHERE l.person_id = p.id AND l.status = 'LINKED' AND r.is_current)""").query(Long.class).single();
        assertThat(unlinkedButCounted).isZero();
        long onRoster = jdbc.sql("SELECT COUNT(*) FROM person_poverty_status").query(Long.class).single();
        assertThat(onRoster).isGreaterThan(6680); // adults and the out-of-school children are on the roster too
        mvc.perform(get("/api/v1/students").param("poor", "true").param("status", "IN_SCHOOL")
                .header("Authorization", bearer("zizhu"))).andExpect(jsonPath("$.total").value(6680));
    }

    @Test
    void theRosterChildrenWhoAreNotInSchoolAreListed() throws Exception {
        // The demo county has seven school-age roster children with no enrolment (DemoGenerator.DROPOUT_CHILDREN).
        mvc.perform(get("/api/v1/identification/suspected-dropouts").header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.length()").value(7))
                .andExpect(jsonPath("$[0].reason").value("NOT_ENROLLED"));
        String page = mvc.perform(get("/identification/dropouts").cookie(login("zizhu")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(page).contains("有户籍登记，没有学籍");
        mvc.perform(get("/api/v1/identification/suspected-dropouts").header("Authorization", bearer("xuexiao")))
                .andExpect(status().isForbidden());
    }

    @Test
    void aRosterFileWithTyposIsAcceptedAndOnlyImpossibleRowsAreRejected() throws Exception {
        String csv = "户编号,所在村代码,户类别,成员姓名,成员身份证号,与户主关系\n"
                + "R1,421182101201,脱贫户,测试甲,11010519491231002x,户主\n"        // lower-case x: normalised
                + "R1,421182101201,脱贫户,测试乙,110105194912310021,配偶\n"       // bad check digit: kept raw
                + "R2,421182101201,农村低保户,测试丙,110105491231002,户主\n"       // not a roster category
                + "R3,421181101201,脱贫户,测试丁,110105491231002,户主\n"          // village outside the county
                + "R4,421182101201,脱贫户,,110105491231002,户主\n";              // no name
        mvc.perform(multipart("/api/v1/imports/roster").file(csvFile("roster.csv", csv, StandardCharsets.UTF_8))
                        .param("dryRun", "true").header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.accepted").value(2))
                .andExpect(jsonPath("$.rejected").value(3))
                .andExpect(jsonPath("$.errors[0].row").value(4)).andExpect(jsonPath("$.errors[0].field").value("户类别"));
    }

    @Test
    void departmentListsImportAndBecomeAssessmentAttributes() throws Exception {
        record Pupil(String idNumber, long household, String region) {
        }
        Pupil pupil = jdbc.sql("""
                SELECT s.id_sealed, p.household_id, h.region_code FROM person p JOIN enrolment e ON e.person_id = p.id
                JOIN person_sealed s ON s.person_id = p.id
                JOIN household h ON h.id = p.household_id
                WHERE p.id NOT IN (SELECT person_id FROM person_poverty_status) AND e.status = 'IN_SCHOOL' ORDER BY p.id LIMIT 1""")
                .query((rs, n) -> new Pupil(clearId(rs.getString(1)), rs.getLong(2), rs.getString(3))).single();
        // The household's eldest member stands for the parent.
        String parent = clearId(jdbc.sql("SELECT s.id_sealed FROM person p JOIN person_sealed s ON s.person_id = p.id "
                        + "WHERE p.household_id = :h ORDER BY p.birth_date, p.id")
                .param("h", pupil.household()).query(String.class).list().get(0));
        String csv = "名单类型,姓名,身份证号或残疾人证号,所在区划代码,年度\n"
                + "农村低保,测试户主," + parent + "," + pupil.region() + ",2026\n"
                + "残疾人,测试学生," + pupil.idNumber() + "21," + pupil.region() + ",2026\n"   // 20-digit card
                + "五保,测试甲," + parent + "," + pupil.region() + ",2026\n"
                + "农村低保,测试乙,12345," + pupil.region() + ",2026\n";
        mvc.perform(multipart("/api/v1/imports/source-list").file(csvFile("lists.csv", csv, StandardCharsets.UTF_8))
                        .header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.accepted").value(2))
                .andExpect(jsonPath("$.rejected").value(2))
                .andExpect(jsonPath("$.errors[0].field").value("名单类型"))
                .andExpect(jsonPath("$.errors[1].field").value("身份证号或残疾人证号"));
        try {
            long inHousehold = jdbc.sql("""
                    SELECT COUNT(*) FROM person p JOIN enrolment e ON e.person_id = p.id
                    WHERE p.household_id = :h AND e.status = 'IN_SCHOOL'""").param("h", pupil.household())
                    .query(Long.class).single();
            // 低保 is granted per household: every pupil of the household carries it; disability only the pupil.
            for (String[] c : new String[][]{{"list.dibao", String.valueOf(inHousehold)}, {"list.disability", "1"}}) {
                String draft = "{\"model\":{\"k\":1,\"indicators\":[{\"code\":\"x\",\"weight\":1,\"expression\":\""
                        + c[0] + " == true\"}],\"bands\":[{\"level\":\"困难\",\"min\":1}]}}";
                mvc.perform(post("/api/v1/identification/evaluate/live").contentType(MediaType.APPLICATION_JSON)
                                .content(draft).header("Authorization", bearer("zizhu")))
                        .andExpect(status().isOk()).andExpect(jsonPath("$.aggregates.q").value(Double.parseDouble(c[1])));
            }
        } finally {
            jdbc.sql("UPDATE source_list_member SET is_current = FALSE").update();
        }
    }

    @Test
    void theHardshipLedgerAndRoundResultsExportWithinScopeAndMasked() throws Exception {
        long round = jdbc.sql(IdentificationWebTests.DEMO_ROUND).query(Long.class).single();
        List<List<String>> ledger = readXlsx(mvc.perform(get("/api/v1/identification/rounds/" + round
                        + "/entries/export").param("source", "HARDSHIP").header("Authorization", bearer("pinggu")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray());
        long hardship = jdbc.sql("SELECT COUNT(*) FROM ident_entry WHERE round_id = :r AND source = 'HARDSHIP'")
                .param("r", round).query(Long.class).single();
        assertThat(ledger).hasSize((int) hardship + 1);
        assertThat(ledger.get(0)).contains("姓名", "困难等级", "困难指标");
        ledger.subList(1, ledger.size()).forEach(r -> assertThat(r.get(0)).contains("*"));
        String school = schoolOf("xuexiao-shenhe");
        List<List<String>> mine = readXlsx(mvc.perform(get("/api/v1/identification/rounds/" + round
                        + "/entries/export").header("Authorization", bearer("xuexiao-shenhe")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray());
        long inSchool = jdbc.sql("SELECT COUNT(*) FROM ident_entry WHERE round_id = :r AND school_code = :s")
                .param("r", round).param("s", school).query(Long.class).single();
        assertThat(mine).hasSize((int) inSchool + 1);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_event WHERE action = 'ROUND_EXPORT'").query(Long.class)
                .single()).isGreaterThanOrEqualTo(2);
        mvc.perform(get("/api/v1/identification/rounds/" + round + "/entries/export")
                .header("Authorization", bearer("juanzeng"))).andExpect(status().isForbidden());
    }

    @Test
    void swaggerUiIsServed() throws Exception {
        mvc.perform(get("/swagger-ui/index.html")).andExpect(status().isOk());
    }

    @Test
    void englishIsAvailable() throws Exception {
        String html = mvc.perform(get("/students").param("lang", "en").cookie(login("zizhu")))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(html).contains("Students").contains("Enrolment status");
    }

    @Test
    void openApiDescribesTheApi() throws Exception {
        mvc.perform(get("/v3/api-docs")).andExpect(status().isOk())
                .andExpect(content().string(org.hamcrest.Matchers.containsString("/api/v1/students")));
    }

    // ------------------------------------------------------------------ helpers

    static MockMultipartFile csvFile(String name, String content, Charset cs) {
        return new MockMultipartFile("file", name, "text/csv", content.getBytes(cs));
    }

    static List<List<String>> readXlsx(byte[] bytes) throws Exception {
        Path tmp = Files.createTempFile("read", ".xlsx");
        try {
            Files.write(tmp, bytes);
            List<List<String>> rows = new ArrayList<>();
            Tabular.read(tmp, Tabular.Format.XLSX, (n, cells) -> rows.add(cells));
            return rows;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ------------------------------------------------------------------ the overview's kept counts (issue 13.2)

    /**
     * The overview reads counts kept by the registry's writers. After each kind of change — an edit of a pupil and of
     * a household, imports that add a pupil, move it to another school and its household to another village, a
     * linkage putting a pupil on the roster and taking it off — every figure equals a recount from the base tables
     * written here, for both counties, their city, townships, villages (by residence too) and schools; and a change in
     * Huangmei leaves every figure of Wuxue as it was.
     */
    @Test
    void theOverviewsKeptCountsEqualARecountAfterEachKindOfChange() throws Exception {
        String hmPrimary = "SELECT DISTINCT school_code FROM enrolment WHERE school_region_code LIKE '421127%' "
                + "AND stage = 'PRIMARY' AND status = 'IN_SCHOOL' ORDER BY school_code";
        List<String> hmSchools = jdbc.sql(hmPrimary).query(String.class).list();
        String schoolA = hmSchools.get(0);
        String schoolB = hmSchools.get(1);
        List<String> hmVillages = jdbc.sql("SELECT DISTINCT region_code FROM household WHERE region_code LIKE '421127%' "
                + "ORDER BY region_code").query(String.class).list();
        String villageA = hmVillages.get(0);
        String villageB = hmVillages.get(hmVillages.size() - 1);
        String wxSchool = jdbc.sql("SELECT MIN(school_code) FROM enrolment WHERE school_region_code LIKE '421182%'")
                .query(String.class).single();
        List<Scope> scopes = List.of(Scope.region("421182000000"), Scope.region("421127000000"),
                Scope.region("421100000000"), Scope.region(villageA.substring(0, 9) + "000"),
                Scope.region(villageB.substring(0, 9) + "000"), Scope.region(villageA), Scope.region(villageB),
                Scope.region(villageA).byResidence(), Scope.region("421127000000").byResidence(),
                Scope.school(schoolA), Scope.school(schoolB), Scope.school(wxSchool));
        Map<String, Long> wuxue = keptEqualsRecount(scopes, "after the demo's imports").get(0);

        // An edit: a Huangmei pupil of school A on the roster leaves school, and comes back.
        long pupil = jdbc.sql("SELECT MIN(e.id) FROM enrolment e JOIN person_poverty_status ps ON ps.person_id = "
                + "e.person_id WHERE e.school_code = :s AND e.status = 'IN_SCHOOL'").param("s", schoolA)
                .query(Long.class).single();
        long poorBefore = registry.registeredPoorStudentsByStage(Scope.school(schoolA)).get("PRIMARY");
        Cookie hm = login("hm-zizhu");
        editStatus(hm, pupil, "DROPPED_OUT");
        assertThat(registry.registeredPoorStudentsByStage(Scope.school(schoolA)).get("PRIMARY"))
                .isEqualTo(poorBefore - 1);
        keptEqualsRecount(scopes, "after a pupil left school");
        editStatus(hm, pupil, "IN_SCHOOL");
        keptEqualsRecount(scopes, "after the pupil came back");

        // An edit of a household: its category takes it off the roster, and back.
        long household = jdbc.sql("SELECT MIN(id) FROM household WHERE region_code = :v AND on_roster")
                .param("v", villageA).query(Long.class).single();
        String category = jdbc.sql("SELECT poverty_category FROM household WHERE id = :id").param("id", household)
                .query(String.class).single();
        editCategory(hm, household, "RURAL_DIBAO");
        keptEqualsRecount(scopes, "after a household left the roster");
        editCategory(hm, household, category);
        keptEqualsRecount(scopes, "after the household came back to the roster");

        // Imports: a new household in village A with a pupil in school A; the pupil moves to school B; the household
        // moves to village B, which moves the pupil's residence with it.
        String head = id("19850505", 702);
        String child = id("20170707", 701);
        String householdNo = "KC-" + child.substring(12);
        String households = "householdNo,villageCode,headName,povertyCategory,memberName,memberIdNumber,relation\n";
        importAs("households", households + householdNo + "," + villageA + ",计数户主,,计数户主," + head + ",户主\n"
                + householdNo + "," + villageA + ",计数户主,,计数学生," + child + ",子女\n");
        keptEqualsRecount(scopes, "after a household import");
        String students = "studentNo,name,idNumber,schoolCode,stage,grade,status,householdNo\n";
        importAs("students", students + "G" + child + ",计数学生," + child + "," + schoolA + ",小学,3,在读," + householdNo + "\n");
        assertThat(keptEqualsRecount(scopes, "after a student import").get(9).get("students"))
                .isEqualTo(recount(Scope.school(schoolA)).get("students"));
        importAs("students", students + "G" + child + ",计数学生," + child + "," + schoolB + ",小学,3,在读," + householdNo + "\n");
        keptEqualsRecount(scopes, "after the pupil moved to school B");
        importAs("households", households + householdNo + "," + villageB + ",计数户主,,计数户主," + head + ",户主\n"
                + householdNo + "," + villageB + ",计数户主,,计数学生," + child + ",子女\n");
        keptEqualsRecount(scopes, "after the household moved to village B");

        // The linkage: the pupil joins the roster, then leaves it. Identification writes the status and publishes the
        // change; the registry's counts follow in the same transaction.
        Map<Long, PovertyStatuses.Given> statuses = new HashMap<>();
        jdbc.sql("SELECT person_id, category, village_code FROM person_poverty_status").query(rs -> {
            statuses.put(rs.getLong(1), new PovertyStatuses.Given(rs.getString(2), rs.getString(3)));
        });
        long person = jdbc.sql("SELECT e.person_id FROM enrolment e WHERE e.school_code = :s AND e.person_id IN "
                        + "(SELECT p.id FROM person p JOIN household h ON h.id = p.household_id WHERE h.household_no = :n)")
                .param("s", schoolB).param("n", householdNo).query(Long.class).single();
        Map<Long, PovertyStatuses.Given> withPupil = new HashMap<>(statuses);
        withPupil.put(person, new PovertyStatuses.Given("UNSTABLE", villageB));
        inTransaction(() -> povertyStatuses.replace(Scope.region("421127000000"), withPupil));
        assertThat(keptEqualsRecount(scopes, "after the linkage put the pupil on the roster").get(1)
                .get("poor:PRIMARY")).isEqualTo(recount(Scope.region("421127000000")).get("poor:PRIMARY"));
        // A Huangmei run hears of Huangmei's roster only: Wuxue's statuses are not its to remove.
        Map<Long, PovertyStatuses.Given> huangmei = new HashMap<>(statuses);
        huangmei.values().removeIf(g -> !g.village().startsWith("421127"));
        long wuxueStatuses = statuses.values().stream().filter(g -> g.village().startsWith("421182")).count();
        assertThat(wuxueStatuses).isPositive();
        inTransaction(() -> povertyStatuses.replace(Scope.region("421127000000"), huangmei));
        keptEqualsRecount(scopes, "after the linkage took the pupil off the roster");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM person_poverty_status WHERE village_code LIKE '421182%'")
                .query(Long.class).single()).isEqualTo(wuxueStatuses);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM person_poverty_status").query(Long.class).single())
                .isEqualTo(statuses.size());

        // The pupil leaves school (graduates): every figure of Huangmei is back, Wuxue's never moved.
        importAs("students", students + "G" + child + ",计数学生," + child + "," + schoolB + ",小学,3,毕业," + householdNo + "\n");
        assertThat(keptEqualsRecount(scopes, "at the end").get(0)).isEqualTo(wuxue);
    }

    /**
     * The student list's total comes from the kept counts unless the user searches, and a page in the second half is
     * read from the end: every page, in both orders, holds exactly the rows a count and a forward walk of the base
     * tables give (written here in SQL of its own), with a filter and without.
     */
    @Test
    void everyPageOfTheStudentListHoldsWhatAForwardWalkGives() throws Exception {
        String auth = bearer("hm-zizhu");
        String scope = " FROM enrolment e JOIN person p ON p.id = e.person_id LEFT JOIN household h ON h.id = p.household_id"
                + " WHERE (h.region_code LIKE '421127%' OR e.school_region_code LIKE '421127%')";
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("", new String[]{"", "e.school_code, e.grade, e.class_name, e.id"});
        cases.put("&sort=-name", new String[]{"", "p.name DESC, e.id DESC"});
        cases.put("&sort=grade&stage=PRIMARY", new String[]{" AND e.stage = 'PRIMARY'", "e.stage, e.grade, e.id"});
        cases.put("&status=IN_SCHOOL&sort=-school", new String[]{" AND e.status = 'IN_SCHOOL'", "e.school_code DESC, e.id DESC"});
        for (var c : cases.entrySet()) {
            long total = jdbc.sql("SELECT COUNT(*)" + scope + c.getValue()[0]).query(Long.class).single();
            int size = 20;
            int last = (int) ((total - 1) / size);
            for (int page : List.of(0, 1, last / 2, last / 2 + 1, last - 1, last)) {
                JsonNode answer = json(mvc.perform(get("/api/v1/students?page=" + page + "&size=" + size + c.getKey())
                        .header("Authorization", auth)).andExpect(status().isOk()));
                assertThat(answer.get("total").asLong()).as(c.getKey()).isEqualTo(total);
                List<Long> shown = new ArrayList<>();
                answer.get("items").forEach(i -> shown.add(i.get("id").asLong()));
                List<Long> walked = jdbc.sql("SELECT e.id" + scope + c.getValue()[0] + " ORDER BY " + c.getValue()[1]
                        + " LIMIT " + size + " OFFSET " + ((long) page * size)).query(Long.class).list();
                assertThat(shown).as(c.getKey() + " page " + page + " of " + last).isEqualTo(walked);
            }
        }
    }

    /**
     * A search is counted only up to a bound (at province scale a common surname matches hundreds of thousands): the
     * answer says its total is a bound, its pages stop there and hold what a forward walk gives, and the page tells
     * the clerk to narrow the search. Here the bound is lowered to 50 so that Huangmei's most common surname passes it.
     */
    @Test
    void aSearchMatchingMoreThanTheBoundSaysSoAndItsPagesStopThere() throws Exception {
        Object target = AopTestUtils.getTargetObject(registry);
        ReflectionTestUtils.setField(target, "searchCountCap", 50L);
        try {
            String scope = " FROM enrolment e JOIN person p ON p.id = e.person_id LEFT JOIN household h"
                    + " ON h.id = p.household_id WHERE (h.region_code LIKE '421127%' OR e.school_region_code LIKE '421127%')";
            String surname = jdbc.sql("SELECT SUBSTRING(p.name, 1, 1) AS s" + scope
                    + " GROUP BY SUBSTRING(p.name, 1, 1) ORDER BY COUNT(*) DESC LIMIT 1").query(String.class).single();
            String matching = " AND (p.name LIKE '" + surname + "%' OR e.class_name = '" + surname + "')";
            assertThat(jdbc.sql("SELECT COUNT(*)" + scope + matching).query(Long.class).single()).isGreaterThan(50);
            String auth = bearer("hm-zizhu");
            JsonNode first = json(mvc.perform(get("/api/v1/students?size=20").param("q", surname).header("Authorization", auth))
                    .andExpect(status().isOk()));
            assertThat(first.get("total").asLong()).isEqualTo(50);
            assertThat(first.get("totalCapped").asBoolean()).isTrue();
            // Page 9 does not exist under the bound: the last one, the third, is shown, read forwards.
            JsonNode last = json(mvc.perform(get("/api/v1/students?size=20&page=9").param("q", surname).header("Authorization", auth))
                    .andExpect(status().isOk()));
            assertThat(last.get("page").asInt()).isEqualTo(2);
            List<Long> shown = new ArrayList<>();
            last.get("items").forEach(i -> shown.add(i.get("id").asLong()));
            assertThat(shown).isEqualTo(jdbc.sql("SELECT e.id" + scope + matching
                    + " ORDER BY e.school_code, e.grade, e.class_name, e.id LIMIT 10 OFFSET 40").query(Long.class).list());
            String html = mvc.perform(get("/students").param("q", surname).cookie(login("hm-zizhu")))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
            assertThat(html).contains("超过 50 条，请缩小搜索范围；第 1 / 3 页");
            // Under the bound the count is exact, as before.
            ReflectionTestUtils.setField(target, "searchCountCap", 10_000L);
            JsonNode exact = json(mvc.perform(get("/api/v1/students?size=20").param("q", surname).header("Authorization", auth))
                    .andExpect(status().isOk()));
            assertThat(exact.get("totalCapped").asBoolean()).isFalse();
            assertThat(exact.get("total").asLong())
                    .isEqualTo(jdbc.sql("SELECT COUNT(*)" + scope + matching).query(Long.class).single());
        } finally {
            ReflectionTestUtils.setField(target, "searchCountCap", 10_000L);
        }
    }

    private void editStatus(Cookie session, long student, String status) throws Exception {
        var row = jdbc.sql("SELECT e.version, p.name, e.grade FROM enrolment e JOIN person p ON p.id = e.person_id "
                + "WHERE e.id = :id").param("id", student).query().singleRow();
        mvc.perform(post("/students/" + student + "/edit").cookie(session).with(csrf())
                        .param("version", String.valueOf(row.get("version"))).param("name", (String) row.get("name"))
                        .param("grade", String.valueOf(row.get("grade"))).param("status", status))
                .andExpect(status().is3xxRedirection());
    }

    private void editCategory(Cookie session, long household, String category) throws Exception {
        var row = jdbc.sql("SELECT version, head_name FROM household WHERE id = :id").param("id", household)
                .query().singleRow();
        mvc.perform(post("/households/" + household + "/edit").cookie(session).with(csrf())
                        .param("version", String.valueOf(row.get("version")))
                        .param("headName", (String) row.get("head_name")).param("category", category))
                .andExpect(status().is3xxRedirection());
    }

    private void importAs(String kind, String csv) throws Exception {
        mvc.perform(multipart("/api/v1/imports/" + kind).file(csvFile(kind + ".csv", csv, StandardCharsets.UTF_8))
                        .header("Authorization", bearer("hm-zizhu")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.rejected").value(0));
    }

    private void inTransaction(Runnable work) {
        new TransactionTemplate(transactions).executeWithoutResult(t -> work.run());
    }

    /** Asserts each scope's kept figures equal the recount, and returns them in the order of the scopes. */
    private List<Map<String, Long>> keptEqualsRecount(List<Scope> scopes, String when) {
        List<Map<String, Long>> out = new ArrayList<>();
        for (Scope scope : scopes) {
            Map<String, Long> kept = new TreeMap<>();
            kept.put("students", registry.studentCount(scope));
            registry.registeredPoorStudentsByStage(scope).forEach((g, n) -> kept.put("poor:" + g, n));
            kept.put("households", registry.householdCount(scope, false));
            kept.put("rosterHouseholds", registry.householdCount(scope, true));
            assertThat(kept).as(when + ", " + scope).isEqualTo(recount(scope));
            out.add(kept);
        }
        return out;
    }

    /** The overview's figures counted from the base tables, with SQL of its own (a region by its code's prefix). */
    private Map<String, Long> recount(Scope scope) {
        String studentWhere;
        String householdSql;
        Map<String, Object> p = new HashMap<>();
        if (scope.type() == Scope.Type.SCHOOL) {
            studentWhere = "e.school_code = :s";
            householdSql = "SELECT COUNT(DISTINCT h.id) FROM household h JOIN person p ON p.household_id = h.id "
                    + "JOIN enrolment e ON e.person_id = p.id WHERE e.school_code = :s";
            p.put("s", scope.code());
        } else {
            String prefix = jdbc.sql("SELECT path FROM region WHERE code = :c").param("c", scope.code())
                    .query(String.class).single().strip();
            p.put("p", prefix + "%");
            studentWhere = scope.residenceOnly() ? "h.region_code LIKE :p"
                    : "(h.region_code LIKE :p OR e.school_region_code LIKE :p)";
            householdSql = "SELECT COUNT(*) FROM household h WHERE h.region_code LIKE :p";
        }
        Map<String, Long> out = new TreeMap<>();
        for (Stage.StatGroup g : Stage.StatGroup.values()) {
            out.put("poor:" + g.name(), 0L);
        }
        long[] total = {0};
        jdbc.sql("SELECT e.stage, CASE WHEN EXISTS (SELECT 1 FROM person_poverty_status ps WHERE ps.person_id = p.id) "
                        + "THEN 1 ELSE 0 END, COUNT(*) FROM enrolment e JOIN person p ON p.id = e.person_id "
                        + "LEFT JOIN household h ON h.id = p.household_id WHERE e.status = 'IN_SCHOOL' AND "
                        + studentWhere + " GROUP BY e.stage, CASE WHEN EXISTS (SELECT 1 FROM person_poverty_status ps "
                        + "WHERE ps.person_id = p.id) THEN 1 ELSE 0 END")
                .params(p).query(rs -> {
                    total[0] += rs.getLong(3);
                    if (rs.getInt(2) == 1) {
                        out.merge("poor:" + Stage.valueOf(rs.getString(1)).statGroup().name(),
                                rs.getLong(3), Long::sum);
                    }
                });
        out.put("students", total[0]);
        out.put("households", jdbc.sql(householdSql).params(p).query(Long.class).single());
        out.put("rosterHouseholds", jdbc.sql(householdSql + " AND h.on_roster").params(p).query(Long.class).single());
        return out;
    }
}
