package org.fuzhi.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.fuzhi.common.Masking;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.Tabular;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import tools.jackson.databind.JsonNode;

/**
 * Scope with two counties in one deployment (Wuxue 421182 and the smaller 黄梅县 421127 of the same city, both in
 * the demo): every account reads, exports, imports, runs and audits only its own county — and a village or township
 * only the children who live there. Part of the web suite: runs on H2 and PostgreSQL.
 */
interface TwoCountyWebTests extends IdentificationWebTests {

    String WUXUE = "421182";
    String HUANGMEI = "421127";

    /** The county (6 digits) each demo account's children must belong to. */
    Map<String, String> COUNTY_ACCOUNTS = Map.of(
            "zizhu", WUXUE, "lingdao", WUXUE, "pinggu", WUXUE, "xiangzhen", WUXUE, "cunwei", WUXUE, "xuexiao", WUXUE,
            "hm-zizhu", HUANGMEI, "hm-lingdao", HUANGMEI, "hm-pinggu", HUANGMEI, "hm-xiangzhen", HUANGMEI);

    private JsonNode api(String path, String user) throws Exception {
        return json(mvc().perform(get(path).header("Authorization", bearer(user))).andExpect(status().isOk()));
    }

    /** The student list as {@code user} searches it for {@code q} (sent as a parameter, encoded once). */
    private long found(String q, String user) throws Exception {
        return json(mvc().perform(get("/api/v1/students").param("q", q).header("Authorization", bearer(user)))
                .andExpect(status().isOk())).get("total").asLong();
    }

    /** Where a student lives and is taught, as the database knows it. */
    private Set<String> countiesOf(long studentId) {
        return new HashSet<>(jdbc().sql("""
                SELECT SUBSTRING(COALESCE(h.region_code, e.school_region_code), 1, 6) FROM enrolment e
                JOIN person p ON p.id = e.person_id LEFT JOIN household h ON h.id = p.household_id
                WHERE e.id = :id
                UNION SELECT SUBSTRING(e.school_region_code, 1, 6) FROM enrolment e
                WHERE e.id = :id AND e.school_region_code IS NOT NULL""").param("id", studentId)
                .query(String.class).list());
    }

    @Test
    default void theSecondCountyHasItsOwnFiguresAndWuxueKeepsItsOwn() throws Exception {
        JsonNode hm = api("/api/v1/stats/overview", "hm-zizhu");
        long hmTotal = hm.get("registeredPoorStudents").get("total").asLong();
        assertThat(hmTotal).isBetween(400L, 1200L);
        assertThat(api("/api/v1/stats/overview", "zizhu").get("registeredPoorStudents").get("total").asLong())
                .isEqualTo(6680);
        // The city-wide figure is the two counties together, which proves neither count leaks into the other.
        long cityPoor = jdbc().sql("""
                SELECT COUNT(*) FROM enrolment e JOIN person_poverty_status ps ON ps.person_id = e.person_id
                JOIN person p ON p.id = e.person_id JOIN household h ON h.id = p.household_id
                WHERE e.status = 'IN_SCHOOL' AND SUBSTRING(h.region_code, 1, 6) = :c""").param("c", HUANGMEI)
                .query(Long.class).single();
        assertThat(hmTotal).isEqualTo(cityPoor);
    }

    @Test
    default void everyAccountListsExportsAndOpensOnlyTheStudentsOfItsCounty() throws Exception {
        long wuxueStudent = jdbc().sql("SELECT MIN(e.id) FROM enrolment e WHERE e.school_region_code LIKE '421182%'")
                .query(Long.class).single();
        long hmStudent = jdbc().sql("SELECT MIN(e.id) FROM enrolment e WHERE e.school_region_code LIKE '421127%'")
                .query(Long.class).single();
        for (var account : COUNTY_ACCOUNTS.entrySet()) {
            String user = account.getKey();
            String county = account.getValue();
            JsonNode page = api("/api/v1/students?size=500", user);
            assertThat(page.get("total").asLong()).as(user).isPositive();
            for (JsonNode s : page.get("items")) {
                assertThat(countiesOf(s.get("id").asLong())).as(user + " sees student " + s.get("id")).contains(county);
            }
            long foreign = county.equals(WUXUE) ? hmStudent : wuxueStudent;
            mvc().perform(get("/api/v1/students/" + foreign).header("Authorization", bearer(user)))
                    .andExpect(status().isForbidden());
            JsonNode households = api("/api/v1/households?size=200", user);
            for (JsonNode h : households.get("items")) {
                assertThat(h.get("regionCode").asString()).as(user).startsWith(county);
            }
        }
        // The export holds what the list holds: the second county's center exports its own students only.
        byte[] xlsx = mvc().perform(get("/api/v1/students/export").header("Authorization", bearer("hm-zizhu")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
        List<List<String>> rows = new ArrayList<>();
        Path tmp = Files.createTempFile("hm-export", ".xlsx");
        Files.write(tmp, xlsx);
        Tabular.read(tmp, Tabular.Format.XLSX, (n, cells) -> rows.add(cells));
        Files.deleteIfExists(tmp);
        long hmTotal = api("/api/v1/students?size=1", "hm-zizhu").get("total").asLong();
        assertThat(rows.size() - 1L).isEqualTo(hmTotal);
        assertThat(hmTotal).isLessThan(api("/api/v1/students?size=1", "zizhu").get("total").asLong());
    }

    @Test
    default void theSecondCountysCenterSeesLinksAndRunsOnlyItsOwnThroughTheUiAndTheApi() throws Exception {
        long hmMembers = jdbc().sql("SELECT COUNT(*) FROM roster_member WHERE is_current AND village_code LIKE '421127%'")
                .query(Long.class).single();
        assertThat(api("/api/v1/identification/linkage/stats", "hm-zizhu").get("members").asLong()).isEqualTo(hmMembers);
        assertThat(api("/api/v1/identification/linkage/stats", "zizhu").get("members").asLong())
                .isEqualTo(jdbc().sql("SELECT COUNT(*) FROM roster_member WHERE is_current AND village_code LIKE '421182%'")
                        .query(Long.class).single());
        // A round over the other county is refused; so is a look at its review queue's people.
        mvc().perform(post("/api/v1/identification/rounds").header("Authorization", bearer("hm-zizhu"))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"越界\",\"schoolYear\":2021,\"term\":\"AUTUMN\",\"scopeCode\":\"421182000000\"}"))
                .andExpect(status().isForbidden());
        // The pages say the same as the API: the student list's count, the dashboard's figure.
        long hmStudents = api("/api/v1/students?size=1", "hm-zizhu").get("total").asLong();
        var session = login("hm-zizhu");
        String list = mvc().perform(get("/students").cookie(session)).andExpect(status().isOk()).andReturn()
                .getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(list).contains("共 " + String.format("%,d", hmStudents) + " 条");
        long hmPoor = api("/api/v1/stats/overview", "hm-zizhu").get("registeredPoorStudents").get("total").asLong();
        String dashboard = mvc().perform(get("/").cookie(session)).andExpect(status().isOk()).andReturn()
                .getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(dashboard).contains(">" + hmPoor + "<").doesNotContain(">6680<");
    }

    @Test
    default void theVillageWhereTheTownSchoolsStandSeesOnlyTheChildrenWhoLiveThere() throws Exception {
        String village = "421182101201";
        long living = jdbc().sql("""
                SELECT COUNT(*) FROM enrolment e JOIN person p ON p.id = e.person_id
                JOIN household h ON h.id = p.household_id WHERE h.region_code = :v""").param("v", village)
                .query(Long.class).single();
        long taughtThere = jdbc().sql("SELECT COUNT(*) FROM enrolment WHERE school_region_code = :v")
                .param("v", village).query(Long.class).single();
        assertThat(taughtThere).as("the town's schools stand in this village").isGreaterThan(living + 100);
        JsonNode page = api("/api/v1/students?size=500", "cun-" + village);
        assertThat(page.get("total").asLong()).isEqualTo(living);
        page.get("items").forEach(s -> assertThat(s.get("householdRegionCode").asString()).isEqualTo(village));
        // The township cadre likewise: the children of its villages, not every pupil of the town's schools.
        String township = "421182101000";
        long inTownship = jdbc().sql("""
                SELECT COUNT(*) FROM enrolment e JOIN person p ON p.id = e.person_id
                JOIN household h ON h.id = p.household_id WHERE h.region_code LIKE '421182101%'""")
                .query(Long.class).single();
        assertThat(api("/api/v1/students?size=1", "zhen-" + township).get("total").asLong()).isEqualTo(inTownship);
        // The round's entries too: only children of the village, never another township's names and indicators.
        long round = jdbc().sql(IdentificationWebTests.DEMO_ROUND)
                .query(Long.class).single();
        JsonNode entries = api("/api/v1/identification/rounds/" + round + "/entries?size=500", "cun-" + village);
        assertThat(entries.get("total").asLong()).isPositive();
        entries.get("items").forEach(e -> assertThat(e.get("villageCode").asString()).isEqualTo(village));
    }

    @Test
    default void roundsCasesImportReportsAndAuditStayInsideTheirCounty() throws Exception {
        long wuxueRound = jdbc().sql(IdentificationWebTests.DEMO_ROUND)
                .query(Long.class).single();
        long hmRound = jdbc().sql("SELECT MIN(id) FROM ident_round WHERE scope_code = '421127000000'")
                .query(Long.class).single();
        for (String user : List.of("hm-zizhu", "hm-lingdao", "hm-pinggu", "hm-xuexiao", "hm-cunwei")) {
            JsonNode list = api("/api/v1/identification/rounds", user);
            // Its own county's rounds, and rounds of the city above that cover it — never Wuxue's.
            list.forEach(r -> assertThat(r.get("scopeCode").asString()).as(user)
                    .satisfiesAnyOf(c -> assertThat(c).startsWith(HUANGMEI), c -> assertThat(c).endsWith("00000000")));
            assertThat(mvc().perform(get("/api/v1/identification/rounds/" + wuxueRound)
                    .header("Authorization", bearer(user))).andReturn().getResponse().getStatus()).as(user)
                    .isIn(403, 404);
        }
        assertThat(api("/api/v1/identification/rounds/" + hmRound, "hm-zizhu").get("round").get("scopeCode").asString())
                .isEqualTo("421127000000");
        JsonNode cases = api("/api/v1/identification/cases?size=200", "hm-zizhu");
        assertThat(cases.get("total").asLong()).isPositive();
        cases.get("items").forEach(c -> assertThat(c.get("villageCode").asString()).startsWith(HUANGMEI));
        api("/api/v1/identification/cases?size=200", "zizhu").get("items")
                .forEach(c -> assertThat(c.get("villageCode").asString()).startsWith(WUXUE));

        // An import report belongs to the importer's county.
        String importId = jdbc().sql("SELECT MIN(id) FROM import_job WHERE kind = 'students' AND scope_code = '421182000000'")
                .query(String.class).single();
        mvc().perform(get("/api/v1/imports/students/" + importId).header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk());
        mvc().perform(get("/api/v1/imports/students/" + importId).header("Authorization", bearer("hm-zizhu")))
                .andExpect(status().isNotFound());
        mvc().perform(get("/api/v1/imports/" + importId + "/errors.xlsx").header("Authorization", bearer("hm-zizhu")))
                .andExpect(status().isForbidden());

        // The audit log: each center or evaluator reads the events of its own county; the ADMIN reads all.
        JsonNode hmEvents = api("/api/v1/audit-events?size=500", "hm-zizhu").get("items");
        assertThat(hmEvents.size()).isPositive();
        hmEvents.forEach(e -> assertThat(String.valueOf(e.get("scope"))).as(e.toString()).doesNotContain(WUXUE));
        JsonNode wuxueEvents = api("/api/v1/audit-events?size=500", "pinggu").get("items");
        assertThat(wuxueEvents.size()).isPositive();
        wuxueEvents.forEach(e -> assertThat(String.valueOf(e.get("scope"))).as(e.toString()).doesNotContain(HUANGMEI));
        Set<String> adminSees = new HashSet<>();
        api("/api/v1/audit-events?size=500&action=ROUND_CREATE", "admin").get("items")
                .forEach(e -> adminSees.add(String.valueOf(e.get("details"))));
        assertThat(adminSees).anyMatch(d -> d.contains(WUXUE)).anyMatch(d -> d.contains(HUANGMEI));
    }

    @Test
    default void aRosterOrListImportReplacesOnlyTheImportersCounty() throws Exception {
        long wuxueCurrent = jdbc().sql("SELECT COUNT(*) FROM roster_member WHERE is_current AND village_code LIKE '421182%'")
                .query(Long.class).single();
        long wuxueLinks = jdbc().sql("SELECT COUNT(*) FROM roster_link l JOIN roster_member m ON m.id = l.roster_member_id "
                + "WHERE m.village_code LIKE '421182%'").query(Long.class).single();
        List<Long> hmBefore = jdbc().sql("SELECT id FROM roster_member WHERE is_current AND village_code LIKE '421127%'")
                .query(Long.class).list();
        var one = jdbc().sql("""
                SELECT household_no, village_code, category, name, id_raw_sealed FROM roster_member
                WHERE is_current AND village_code LIKE '421127%' ORDER BY id LIMIT 1""")
                .query((rs, n) -> List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        crypto().open(FieldCrypto.Kind.RAW_ID, rs.getString(5)))).single();
        String csv = "householdNo,villageCode,category,memberName,memberIdNumber\n"
                + String.join(",", one) + "\n";
        String id = null;
        try {
            JsonNode r = json(mvc().perform(multipart("/api/v1/imports/roster").file(new MockMultipartFile("file",
                            "roster.csv", "text/csv", csv.getBytes(StandardCharsets.UTF_8)))
                    .header("Authorization", bearer("hm-zizhu"))).andExpect(status().isOk()));
            id = r.get("importId").asString();
            assertThat(r.get("accepted").asInt()).isEqualTo(1);
            assertThat(jdbc().sql("SELECT COUNT(*) FROM roster_member WHERE is_current AND village_code LIKE '421182%'")
                    .query(Long.class).single()).isEqualTo(wuxueCurrent);
            assertThat(jdbc().sql("SELECT COUNT(*) FROM roster_member WHERE is_current AND village_code LIKE '421127%'")
                    .query(Long.class).single()).isEqualTo(1);
            assertThat(jdbc().sql("SELECT COUNT(*) FROM roster_link l JOIN roster_member m ON m.id = l.roster_member_id "
                    + "WHERE m.village_code LIKE '421182%'").query(Long.class).single()).isEqualTo(wuxueLinks);
            // A Wuxue village in the second county's file is refused, row and field named.
            String foreign = "householdNo,villageCode,category,memberName,memberIdNumber\n"
                    + one.get(0) + ",421182101201," + one.get(2) + "," + one.get(3) + "," + one.get(4) + "\n";
            JsonNode refused = json(mvc().perform(multipart("/api/v1/imports/roster").file(new MockMultipartFile("file",
                            "roster.csv", "text/csv", foreign.getBytes(StandardCharsets.UTF_8))).param("dryRun", "true")
                    .header("Authorization", bearer("hm-zizhu"))).andExpect(status().isOk()));
            assertThat(refused.get("rejected").asInt()).isEqualTo(1);
            assertThat(refused.get("errors").get(0).get("field").asString()).isEqualTo("所在村代码");
            assertThat(refused.get("errors").get(0).get("message").asString()).contains("数据范围");
        } finally {
            if (id != null) {
                jdbc().sql("UPDATE roster_member SET is_current = FALSE WHERE import_id = :i").param("i", id).update();
            }
            jdbc().sql("UPDATE roster_member SET is_current = TRUE WHERE id IN (:ids)").param("ids", hmBefore).update();
        }

        // Department lists: a 低保 list of the second county leaves Wuxue's current list as it is.
        String wuxuePerson = crypto().open(FieldCrypto.Kind.ID_NUMBER, jdbc().sql("""
                SELECT s.id_sealed FROM person p JOIN person_sealed s ON s.person_id = p.id
                JOIN household h ON h.id = p.household_id
                WHERE h.region_code LIKE '421182%' ORDER BY p.id LIMIT 1""").query(String.class).single());
        String hmPerson = jdbc().sql("""
                SELECT s.id_sealed, h.region_code FROM person p JOIN person_sealed s ON s.person_id = p.id
                JOIN household h ON h.id = p.household_id
                WHERE h.region_code LIKE '421127%' ORDER BY p.id LIMIT 1""")
                .query((rs, n) -> crypto().open(FieldCrypto.Kind.ID_NUMBER, rs.getString(1)) + "," + rs.getString(2)).single();
        String header = "listType,name,idNumber,regionCode\n";
        List<String> imports = new ArrayList<>();
        try {
            imports.add(json(mvc().perform(multipart("/api/v1/imports/source-list").file(new MockMultipartFile("file",
                    "dibao.csv", "text/csv", (header + "DIBAO,测试甲," + wuxuePerson + ",421182101201\n")
                            .getBytes(StandardCharsets.UTF_8))).header("Authorization", bearer("zizhu")))
                    .andExpect(status().isOk())).get("importId").asString());
            imports.add(json(mvc().perform(multipart("/api/v1/imports/source-list").file(new MockMultipartFile("file",
                    "dibao.csv", "text/csv", (header + "DIBAO,测试乙," + hmPerson + "\n")
                            .getBytes(StandardCharsets.UTF_8))).header("Authorization", bearer("hm-zizhu")))
                    .andExpect(status().isOk())).get("importId").asString());
            assertThat(jdbc().sql("SELECT COUNT(*) FROM source_list_member WHERE is_current AND import_id = :i")
                    .param("i", imports.get(1)).query(Long.class).single()).as("the second county's list").isEqualTo(1);
            assertThat(jdbc().sql("SELECT COUNT(*) FROM source_list_member WHERE is_current AND import_id = :i")
                    .param("i", imports.get(0)).query(Long.class).single()).as("Wuxue's list stays current")
                    .isEqualTo(1);
        } finally {
            for (String i : imports) {
                jdbc().sql("UPDATE source_list_member SET is_current = FALSE WHERE import_id = :i").param("i", i)
                        .update();
            }
        }
    }

    @Test
    default void regionsAreWrittenOnlyInsideTheWritersScope() throws Exception {
        String file = "code,name,keyPoorVillage\n420000000000,改名省,否\n421182101299,别县新村,否\n421127101299,黄梅新村,否\n";
        JsonNode r = json(mvc().perform(multipart("/api/v1/imports/regions").file(new MockMultipartFile("file",
                        "regions.csv", "text/csv", file.getBytes(StandardCharsets.UTF_8))).param("dryRun", "true")
                .header("Authorization", bearer("hm-zizhu"))).andExpect(status().isOk()));
        assertThat(r.get("accepted").asInt()).isEqualTo(1);
        assertThat(r.get("rejected").asInt()).isEqualTo(2);
        assertThat(r.get("errors").get(0).get("row").asInt()).isEqualTo(2);
        assertThat(r.get("errors").get(0).get("field").asString()).isEqualTo("区划代码");
        assertThat(r.get("errors").get(0).get("message").asString()).contains("数据范围");
        // The ADMIN manages accounts, not villages; a village cadre imports no roster. Refused before anything is kept.
        long kept = jdbc().sql("SELECT COUNT(*) FROM import_job").query(Long.class).single();
        mvc().perform(multipart("/api/v1/imports/regions").file(new MockMultipartFile("file", "regions.csv",
                "text/csv", file.getBytes(StandardCharsets.UTF_8))).header("Authorization", bearer("admin")))
                .andExpect(status().isForbidden());
        mvc().perform(multipart("/api/v1/imports/roster").file(new MockMultipartFile("file", "roster.csv",
                "text/csv", file.getBytes(StandardCharsets.UTF_8))).header("Authorization", bearer("cunwei")))
                .andExpect(status().isForbidden());
        assertThat(jdbc().sql("SELECT COUNT(*) FROM import_job").query(Long.class).single()).isEqualTo(kept);
        assertThat(jdbc().sql("SELECT name FROM region WHERE code = '420000000000'").query(String.class).single())
                .isEqualTo("湖北省");
    }

    @Test
    default void aMaskedRoleCannotSearchByFullIdOrFullNameAndTheAttemptIsAudited() throws Exception {
        var s = jdbc().sql("""
                SELECT s.id_sealed, p.name FROM enrolment e JOIN person p ON p.id = e.person_id
                JOIN person_sealed s ON s.person_id = p.id
                JOIN household h ON h.id = p.household_id
                WHERE h.region_code LIKE '421182%' AND CHAR_LENGTH(p.name) = 3 ORDER BY e.id LIMIT 1""")
                .query((rs, n) -> new String[]{crypto().open(FieldCrypto.Kind.ID_NUMBER, rs.getString(1)), rs.getString(2)})
                .single();
        String fullId = s[0];
        String name = s[1];
        long before = jdbc().sql("SELECT COUNT(*) FROM audit_event WHERE action = 'STUDENT_SEARCH' AND actor = 'pinggu'")
                .query(Long.class).single();
        String fullWidth = fullId.chars().mapToObj(c -> Character.isDigit(c) ? String.valueOf((char) (c - '0' + '０'))
                : String.valueOf((char) c)).reduce("", String::concat);
        for (String q : List.of(fullId, fullWidth, fullId.substring(0, 6) + " " + fullId.substring(6), name,
                "G" + fullId)) {
            for (String user : List.of("pinggu", "lingdao")) {
                assertThat(found(q, user)).as(user + " searching " + q).isZero();
            }
        }
        assertThat(jdbc().sql("SELECT COUNT(*) FROM audit_event WHERE action = 'STUDENT_SEARCH' AND actor = 'pinggu'")
                .query(Long.class).single()).isEqualTo(before + 5);
        // The masked form that the evaluator is shown finds the child; the full forms work for the center, audited.
        String masked = Masking.name(name);
        assertThat(found(masked, "pinggu")).isPositive();
        assertThat(found(fullId, "zizhu")).isEqualTo(1);
        assertThat(found(name, "zizhu")).isPositive();
        // % and _ are what they are, not wildcards.
        for (String wildcard : List.of("%", "_", name.charAt(0) + "%")) {
            assertThat(found(wildcard, "zizhu")).as(wildcard).isZero();
        }
        // Nowhere in the audit log: not the searched ID in any form, not the searched name.
        List<String> details = jdbc().sql("SELECT COALESCE(details, '') || COALESCE(target_id, '') FROM audit_event")
                .query(String.class).list();
        assertThat(details).noneMatch(d -> d.contains(fullId) || d.contains(fullWidth) || d.contains(name));
    }

    @Test
    default void aSchoolSeesOnlyTheHouseholdMembersItMaySee() throws Exception {
        String school = villageOf("xuexiao");
        var h = jdbc().sql("""
                SELECT p.household_id FROM enrolment e JOIN person p ON p.id = e.person_id
                WHERE e.school_code = :s AND p.household_id IS NOT NULL AND EXISTS (
                    SELECT 1 FROM person q JOIN enrolment f ON f.person_id = q.id
                    WHERE q.household_id = p.household_id AND f.school_code <> :s)
                ORDER BY e.id LIMIT 1""").param("s", school).query(Long.class).single();
        JsonNode household = api("/api/v1/households/" + h, "xuexiao");
        Set<String> otherSchoolPupils = new HashSet<>(jdbc().sql("""
                SELECT q.name FROM person q JOIN enrolment f ON f.person_id = q.id
                WHERE q.household_id = :h AND f.school_code <> :s""").param("h", h).param("s", school)
                .query(String.class).list());
        assertThat(otherSchoolPupils).isNotEmpty();
        household.get("members").forEach(m -> assertThat(otherSchoolPupils).doesNotContain(m.get("name").asString()));
        // The center sees the whole family.
        assertThat(api("/api/v1/households/" + h, "zizhu").get("members").size())
                .isGreaterThan(household.get("members").size());
    }

    @Test
    default void twoConcurrentRoundCreationsMakeOneRound() throws Exception {
        String village = villageOf("hm-cunwei");
        String body = "{\"name\":\"并发测试\",\"schoolYear\":2023,\"term\":\"SPRING\",\"scopeCode\":\"" + village + "\"}";
        String token = bearer("hm-zizhu");
        Callable<Integer> create = () -> mvc().perform(post("/api/v1/identification/rounds")
                        .header("Authorization", token).contentType(MediaType.APPLICATION_JSON).content(body))
                .andReturn().getResponse().getStatus();
        var pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> a = pool.submit(create);
            Future<Integer> b = pool.submit(create);
            assertThat(List.of(a.get(), b.get())).containsExactlyInAnyOrder(200, 409);
        } finally {
            pool.shutdown();
        }
        assertThat(jdbc().sql("SELECT COUNT(*) FROM ident_round WHERE scope_code = :v AND school_year = 2023")
                .param("v", village).query(Long.class).single()).isEqualTo(1);
    }

    @Test
    default void aRerunOnUnchangedDataKeepsFinishedVerificationsAndOpensNoSecondCase() throws Exception {
        String village = villageOf("hm-cunwei");
        JsonNode round = createRoundAs("hm-zizhu", "不变重跑", 2022, "AUTUMN", village);
        long id = round.get("id").asLong();
        complete(taskAs(id, "SURVEY", village, "hm-zizhu"), "cun-" + village).andExpect(status().isOk());
        long openCases = jdbc().sql("SELECT COUNT(*) FROM dropout_case WHERE status <> 'CLOSED'").query(Long.class)
                .single();
        JsonNode rerun = json(mvc().perform(post("/api/v1/identification/rounds/" + id + "/rerun")
                        .param("version", round.get("version").asString()).header("Authorization", bearer("hm-zizhu")))
                .andExpect(status().isOk()));
        assertThat(rerun.get("resetUnits").size()).isZero();
        assertThat(rerun.get("round").get("runs").asInt()).isEqualTo(2);
        assertThat(taskAs(id, "SURVEY", village, "hm-zizhu").get("status").asString()).isEqualTo("DONE");
        assertThat(taskAs(id, "SURVEY", village, "hm-zizhu").get("decidedBy").asString()).isEqualTo("cun-" + village);
        assertThat(jdbc().sql("SELECT COUNT(*) FROM dropout_case WHERE status <> 'CLOSED'").query(Long.class).single())
                .isEqualTo(openCases);
        assertThat(jdbc().sql("""
                SELECT COUNT(*) FROM (SELECT person_id FROM dropout_case WHERE status <> 'CLOSED' AND person_id IS NOT NULL
                GROUP BY person_id HAVING COUNT(*) > 1) t""").query(Long.class).single()).isZero();
    }

    @Test
    default void oneCountysLinkageNeverMatchesAnotherCountysChild() throws Exception {
        // A Wuxue roster line without an ID number whose name, gender and birth date are exactly a Huangmei child's:
        // Wuxue's linkage must not give that child Wuxue's poverty status.
        var child = jdbc().sql("""
                SELECT p.id, p.name, p.gender, p.birth_date FROM person p JOIN household h ON h.id = p.household_id
                JOIN enrolment e ON e.person_id = p.id WHERE h.region_code LIKE '421127%' ORDER BY p.id LIMIT 1""")
                .query((rs, n) -> new Object[]{rs.getLong(1), rs.getString(2), rs.getString(3), rs.getDate(4)}).single();
        jdbc().sql("""
                INSERT INTO roster_member (import_id, source, household_no, village_code, category, name, id_raw_sealed,
                       id_raw_masked, gender, birth_date, is_current, imported_at)
                VALUES ('test', 'POVERTY', 'T-CROSS-1', '421182101202', 'LIFTED', :name, :raw, '*', :g, :b, TRUE, :at)""")
                .param("raw", crypto().seal(FieldCrypto.Kind.RAW_ID, "无")).param("name", child[1]).param("g", child[2]).param("b", child[3])
                .param("at", Timestamp.from(Instant.now())).update();
        long member = jdbc().sql("SELECT id FROM roster_member WHERE household_no = 'T-CROSS-1'").query(Long.class)
                .single();
        try {
            mvc().perform(post("/api/v1/identification/linkage/run").header("Authorization", bearer("zizhu")))
                    .andExpect(status().isOk());
            List<Long> linked = jdbc().sql("SELECT person_id FROM roster_link WHERE roster_member_id = :m "
                    + "AND person_id IS NOT NULL").param("m", member).query(Long.class).list();
            assertThat(linked).doesNotContain((Long) child[0]);
        } finally {
            jdbc().sql("DELETE FROM roster_link WHERE roster_member_id = :m").param("m", member).update();
            jdbc().sql("DELETE FROM roster_member WHERE id = :m").param("m", member).update();
            mvc().perform(post("/api/v1/identification/linkage/run").header("Authorization", bearer("zizhu")))
                    .andExpect(status().isOk());
        }
    }

    @Test
    default void noImportRewritesAHouseholdSchoolOrPersonOfTheOtherCounty() throws Exception {
        var hm = jdbc().sql("""
                SELECT h.household_no, h.head_name, s.id_sealed, p.name FROM household h JOIN person p ON p.household_id = h.id
                JOIN person_sealed s ON s.person_id = p.id
                WHERE h.region_code LIKE '421127%' ORDER BY p.id LIMIT 1""")
                .query((rs, n) -> new String[]{rs.getString(1), rs.getString(2),
                        crypto().open(FieldCrypto.Kind.ID_NUMBER, rs.getString(3)), rs.getString(4)})
                .single();
        // A Wuxue village cadre writes a Huangmei household number with its own village: refused, nothing moves.
        String village = villageOf("cunwei");
        String households = "householdNo,villageCode,headName,memberName,memberIdNumber,relation\n"
                + hm[0] + "," + village + ",冒名户主,冒名户主," + hm[2] + ",户主\n";
        JsonNode h = json(mvc().perform(multipart("/api/v1/imports/households").file(new MockMultipartFile("file",
                "h.csv", "text/csv", households.getBytes(StandardCharsets.UTF_8))).header("Authorization", bearer("cunwei")))
                .andExpect(status().isOk()));
        assertThat(h.get("accepted").asInt()).isZero();
        assertThat(h.toString()).doesNotContain(hm[0].substring(6)).contains("数据范围以外");
        assertThat(jdbc().sql("SELECT head_name FROM household WHERE household_no = :n").param("n", hm[0])
                .query(String.class).single()).isEqualTo(hm[1]);
        // A Wuxue school clerk enrols a Huangmei child by ID number: refused without naming the child.
        String school = villageOf("xuexiao");
        var pupil = jdbc().sql("""
                SELECT s.id_sealed, p.name FROM person p JOIN enrolment e ON e.person_id = p.id
                JOIN person_sealed s ON s.person_id = p.id
                JOIN household h ON h.id = p.household_id
                WHERE h.region_code LIKE '421127%' AND e.stage = 'PRIMARY' ORDER BY p.id LIMIT 1""")
                .query((rs, n) -> new String[]{crypto().open(FieldCrypto.Kind.ID_NUMBER, rs.getString(1)), rs.getString(2)})
                .single();
        hm[2] = pupil[0];
        hm[3] = pupil[1];
        String students = "studentNo,name,idNumber,schoolCode,stage,status\nG" + hm[2] + ",改名," + hm[2] + ","
                + school + ",小学,在读\n";
        JsonNode st = json(mvc().perform(multipart("/api/v1/imports/students").file(new MockMultipartFile("file",
                "s.csv", "text/csv", students.getBytes(StandardCharsets.UTF_8))).header("Authorization", bearer("xuexiao")))
                .andExpect(status().isOk()));
        assertThat(st.get("rejected").asInt()).isEqualTo(1);
        assertThat(st.toString()).contains("数据范围以外").doesNotContain(Masking.name(hm[3]));
        assertThat(jdbc().sql("SELECT name FROM person WHERE id_index = :i").param("i", crypto().index(hm[2]))
                .query(String.class)
                .single()).isEqualTo(hm[3]);
        // Wuxue's center renames a Huangmei school: refused, the school keeps its name.
        var hmSchool = jdbc().sql("SELECT code, name, school_type FROM school WHERE region_code LIKE '421127%' "
                + "AND school_type = 'PRIMARY' ORDER BY code LIMIT 1")
                .query((rs, n) -> new String[]{rs.getString(1), rs.getString(2)}).single();
        String schools = "code,name,type,regionCode\n" + hmSchool[0] + ",改名小学,小学,421182101201\n";
        JsonNode sc = json(mvc().perform(multipart("/api/v1/imports/schools").file(new MockMultipartFile("file",
                "sc.csv", "text/csv", schools.getBytes(StandardCharsets.UTF_8))).header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk()));
        assertThat(sc.get("rejected").asInt()).isEqualTo(1);
        assertThat(jdbc().sql("SELECT name FROM school WHERE code = :c").param("c", hmSchool[0]).query(String.class)
                .single()).isEqualTo(hmSchool[1]);
    }

    @Test
    default void aVillageCadreSeesNamesButNoBirthDatesNextToTheMaskedId() throws Exception {
        long student = api("/api/v1/students?size=1", "cunwei").get("items").get(0).get("id").asLong();
        JsonNode seen = api("/api/v1/students/" + student, "cunwei");
        assertThat(seen.get("name").asString()).doesNotContain("*");
        assertThat(seen.get("birthDate").isNull()).as("birth date + masked ID = full ID").isTrue();
        assertThat(api("/api/v1/students/" + student, "zizhu").get("birthDate").isNull()).isFalse();
        // A token issued before the account's credentials changed ends with them.
        String token = bearer("hm-pinggu");
        mvc().perform(get("/api/v1/stats/overview").header("Authorization", token)).andExpect(status().isOk());
        jdbc().sql("UPDATE app_user SET credentials_version = credentials_version + 1 WHERE username = 'hm-pinggu'")
                .update();
        mvc().perform(get("/api/v1/stats/overview").header("Authorization", token)).andExpect(status().isUnauthorized());
        mvc().perform(get("/api/v1/stats/overview").header("Authorization", bearer("hm-pinggu")))
                .andExpect(status().isOk());
    }

    private JsonNode createRoundAs(String user, String name, int year, String term, String scope) throws Exception {
        return json(mvc().perform(post("/api/v1/identification/rounds").header("Authorization", bearer(user))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"" + name + "\",\"schoolYear\":" + year + ",\"term\":\"" + term
                                + "\",\"scopeCode\":\"" + scope + "\"}"))
                .andExpect(status().isOk()));
    }

    private JsonNode taskAs(long roundId, String step, String unit, String user) throws Exception {
        return tasks(roundId, user).stream().filter(t -> t.get("step").asString().equals(step)
                && t.get("unitCode").asString().equals(unit)).findFirst().orElseThrow();
    }
}
