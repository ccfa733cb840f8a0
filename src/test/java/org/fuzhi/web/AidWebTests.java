package org.fuzhi.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;
import org.fuzhi.common.BankCard;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.Tabular;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.test.web.servlet.result.MockMvcResultMatchers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The aid module (issue 11) through the API, on H2 and PostgreSQL: the pure allocation preview, a term generated on a
 * final round and allocated from funds, the ledger, and the second county's center seeing nothing of it.
 */
interface AidWebTests extends IdentificationWebTests {

    /** Follows a job with the given Authorization header until it ends (30 s at most). */
    private JsonNode awaitJob(String url, String authorization) throws Exception {
        JsonNode job = null;
        for (int i = 0; i < 300; i++) {
            job = json(mvc().perform(get(url).header("Authorization", authorization)).andExpect(status().isOk()));
            if (!job.get("state").asString().matches("QUEUED|RUNNING")) {
                return job;
            }
            Thread.sleep(100);
        }
        return job;
    }

    private JsonNode postJson(String path, String user, String body) throws Exception {
        return json(mvc().perform(post(path).header("Authorization", bearer(user))
                .contentType(MediaType.APPLICATION_JSON).content(body)).andExpect(status().isOk()));
    }

    /**
     * The student's page says what the latest round found for the child and what aid the last term paid — from
     * the rounds' and aid's own tables; the other county's center does not get the page at all.
     */
    @Test
    default void aStudentsPageSaysWhatTheRoundFoundAndWhatTheTermPaid() throws Exception {
        long student = jdbc().sql("""
                SELECT MIN(e.student_id) FROM aid_entitlement e JOIN aid_payment p ON p.entitlement_id = e.id
                WHERE p.status = 'PAID' AND e.term_code = '2025-SPRING'
                AND EXISTS (SELECT 1 FROM ident_entry x WHERE x.student_id = e.student_id)""").query(Long.class).single();
        String[] entry = jdbc().sql("""
                SELECT r.name, e.source, e.level FROM ident_entry e JOIN ident_round r ON r.id = e.round_id
                WHERE e.student_id = :s ORDER BY r.id DESC LIMIT 1""").param("s", student)
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}).single();
        BigDecimal paid = jdbc().sql("""
                SELECT SUM(p.amount) FROM aid_payment p JOIN aid_entitlement e ON e.id = p.entitlement_id
                WHERE e.student_id = :s AND e.term_code = '2025-SPRING' AND p.status = 'PAID'""").param("s", student)
                .query(BigDecimal.class).single();
        String page = mvc().perform(get("/students/" + student).cookie(login("zizhu"))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        String notes = page.substring(page.indexOf("id=\"student-notes\""));
        assertThat(notes).contains(entry[0]).contains(entry[1].equals("ROSTER") ? "建档立卡" : "名单外困难学生")
                .contains(entry[2] == null ? "未达困难标准" : entry[2])
                .contains("2025—2026 学年春季学期：").contains("已到账 " + paid.toPlainString() + " 元");
        BigDecimal cash = jdbc().sql("""
                SELECT SUM(amount) FROM aid_entitlement WHERE student_id = :s AND term_code = '2025-SPRING'
                AND kind = 'CASH'""").param("s", student).query(BigDecimal.class).single();
        assertThat(notes).contains("发放 " + cash.toPlainString() + " 元");
        mvc().perform(get("/students/" + student).cookie(login("hm-zizhu")))
                .andExpect(r -> assertThat(r.getResponse().getStatus()).isIn(403, 404));
    }

    /**
     * The term summary's cuts (by item, school, stage, home township) come from one pass over the term: each row's
     * count, value and paid equal a recount per cut written here, for the center of Wuxue.
     */
    @Test
    default void eachCutOfTheTermSummaryEqualsARecount() throws Exception {
        long term = jdbc().sql("SELECT MIN(t.id) FROM aid_term t WHERE t.scope_code = '421182000000' AND EXISTS "
                + "(SELECT 1 FROM aid_entitlement x WHERE x.term_id = t.id)").query(Long.class).single();
        JsonNode summary = json(mvc().perform(get("/api/v1/aid/terms/" + term + "/summary")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk()));
        String rows = " FROM aid_entitlement x WHERE x.term_id = :t AND (x.region_code BETWEEN '421182000000' AND "
                + "'421182999999' OR x.school_code IN (SELECT code FROM school WHERE region_code BETWEEN '421182000000' "
                + "AND '421182999999'))";
        Map<String, String> cuts = Map.of("byItem", "x.item_code", "bySchool", "x.school_code", "byStage", "x.stage",
                "byTownship", "CASE WHEN x.region_code BETWEEN '421182000000' AND '421182999999' "
                        + "THEN SUBSTRING(x.region_code, 1, 9) || '000' ELSE 'OUTSIDE' END");
        for (var cut : cuts.entrySet()) {
            Map<String, String> expected = new TreeMap<>();
            jdbc().sql("SELECT " + cut.getValue() + " AS k, COUNT(*), SUM(x.amount), "
                            + "SUM(CASE WHEN x.status = 'PAID' THEN x.allocated ELSE 0 END)" + rows + " GROUP BY "
                            + cut.getValue()).param("t", term)
                    .query(rs -> {
                        expected.put(rs.getString(1).strip(), rs.getLong(2) + " " + rs.getBigDecimal(3).setScale(2)
                                + " " + rs.getBigDecimal(4).setScale(2));
                    });
            Map<String, String> shown = new TreeMap<>();
            summary.get(cut.getKey()).forEach(r -> shown.put(r.get("code").asString().strip(), r.get("count").asLong()
                    + " " + r.get("value").decimalValue().setScale(2) + " " + r.get("paid").decimalValue().setScale(2)));
            assertThat(shown).as(cut.getKey()).isNotEmpty().isEqualTo(expected);
        }
        assertThat(summary.get("failedPayments").asLong()).isEqualTo(jdbc().sql("SELECT COUNT(*)" + rows
                + " AND x.status = 'FAILED'").param("t", term).query(Long.class).single());
    }

    @Test
    default void thePreviewRunsTheWaterfallOnGivenDataAndNamesTheFieldOfBadInput() throws Exception {
        String body = """
                {"funds":[{"code":"backstop","priority":30,"budget":"800","items":null,"students":null},
                          {"code":"central","priority":10,"budget":"1000.50","items":["BOARDING_PRIMARY"],"students":null},
                          {"code":"lexi","priority":40,"budget":"300","items":null,"students":["p3"]}],
                 "entitlements":[{"id":"e1","student":"p1","item":"BOARDING_PRIMARY","amount":"500"},
                                 {"id":"e2","student":"p2","item":"BOARDING_PRIMARY","amount":"625.25"},
                                 {"id":"e3","student":"p3","item":"SENIOR_GRANT","amount":"1150"}]}""";
        JsonNode r = postJson("/api/v1/aid/allocation/preview", "zizhu", body);
        assertThat(r.get("lines").toString()).isEqualTo("[{\"entitlement\":\"e1\",\"fund\":\"central\",\"amount\":\"500.00\"},"
                + "{\"entitlement\":\"e2\",\"fund\":\"central\",\"amount\":\"500.50\"},"
                + "{\"entitlement\":\"e2\",\"fund\":\"backstop\",\"amount\":\"124.75\"},"
                + "{\"entitlement\":\"e3\",\"fund\":\"backstop\",\"amount\":\"675.25\"},"
                + "{\"entitlement\":\"e3\",\"fund\":\"lexi\",\"amount\":\"300.00\"}]");
        assertThat(r.get("uncovered").toString()).isEqualTo("[{\"entitlement\":\"e3\",\"amount\":\"174.75\"}]");
        assertThat(r.get("funds").toString()).isEqualTo("[{\"code\":\"backstop\",\"used\":\"800.00\",\"left\":\"0.00\"},"
                + "{\"code\":\"central\",\"used\":\"1000.50\",\"left\":\"0.00\"},"
                + "{\"code\":\"lexi\",\"used\":\"300.00\",\"left\":\"0.00\"}]");
        String[][] bad = {
                {"{\"funds\":[{\"code\":\"a\",\"priority\":1,\"budget\":\"-1\"}],\"entitlements\":[]}", "funds[0].budget"},
                {"{\"funds\":[],\"entitlements\":[{\"id\":\"e\",\"student\":\"s\",\"item\":\"X\",\"amount\":\"十元\"}]}",
                        "entitlements[0].amount"},
                {"{\"funds\":[],\"entitlements\":[{\"id\":\"e\",\"student\":\"s\",\"item\":\"X\",\"amount\":\"1\"},"
                        + "{\"id\":\"e\",\"student\":\"t\",\"item\":\"X\",\"amount\":\"1\"}]}", "entitlements[1].id"},
                {"{\"funds\":[{\"code\":\"a\",\"priority\":1,\"budget\":\"1\"},{\"code\":\"a\",\"priority\":2,\"budget\":\"1\"}],"
                        + "\"entitlements\":[]}", "funds[1].code"},
                {"{\"funds\":[{\"code\":\"a\",\"priority\":\"first\",\"budget\":\"1\"}],\"entitlements\":[]}", "funds[0].priority"},
                {"{\"funds\":[],\"entitlements\":[{\"id\":\"e\",\"student\":\"s\",\"item\":\"X\",\"amount\":\"1.001\"}]}",
                        "entitlements[0].amount"},
                {"{\"entitlements\":[]}", "funds"},
        };
        for (String[] b : bad) {
            mvc().perform(post("/api/v1/aid/allocation/preview").header("Authorization", bearer("zizhu"))
                            .contentType(MediaType.APPLICATION_JSON).content(b[0]))
                    .andExpect(status().isBadRequest()).andExpect(jsonPath("$.field").value(b[1]))
                    .andExpect(jsonPath("$.message").value(org.hamcrest.Matchers.startsWith(b[1] + "：")));
        }
    }

    @Test
    default void aTermIsPaidOnceFromTheFundsInOrderTheLedgerBalancesAndTheOtherCountySeesNothing() throws Exception {
        // A Huangmei round made final (its workflow is the identification suite's; here it is the basis).
        long round = postJson("/api/v1/identification/rounds", "hm-zizhu",
                "{\"name\":\"黄梅县资助依据\",\"schoolYear\":2025,\"term\":\"AUTUMN\",\"scopeCode\":\"421127000000\"}")
                .get("id").asLong();
        refusedWith(mvc().perform(post("/api/v1/aid/terms").header("Authorization", bearer("hm-zizhu"))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"schoolYear\":2025,\"term\":\"AUTUMN\",\"roundId\":" + round + "}")),
                "识别轮次“黄梅县资助依据”尚未定稿：公示期满并定稿后才能据此发放资助。");
        jdbc().sql("UPDATE ident_round SET stage = 'FINAL' WHERE id = :id").param("id", round).update();
        // Wuxue's center cannot open a term on the other county's round, nor for the other county.
        mvc().perform(post("/api/v1/aid/terms").header("Authorization", bearer("zizhu"))
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"schoolYear\":2025,\"term\":\"AUTUMN\",\"roundId\":" + round + "}"))
                .andExpect(r -> assertThat(r.getResponse().getStatus()).isIn(403, 404, 409));
        JsonNode term = postJson("/api/v1/aid/terms", "hm-zizhu",
                "{\"schoolYear\":2025,\"term\":\"AUTUMN\",\"roundId\":" + round + "}");
        long termId = term.get("id").asLong();
        assertThat(term.get("termCode").asString()).isEqualTo("2025-AUTUMN");
        refusedWith(mvc().perform(post("/api/v1/aid/terms/" + termId + "/allocate")
                .header("Authorization", bearer("hm-zizhu"))), "请先生成资助名单再分配资金。");

        // A child of the round who has left school since is not paid: listed without aid, with the reason.
        long leaver = jdbc().sql("""
                SELECT MIN(x.person_id) FROM ident_entry x JOIN enrolment e ON e.person_id = x.person_id
                WHERE x.round_id = :r AND x.source = 'ROSTER' AND e.stage = 'PRIMARY'""").param("r", round)
                .query(Long.class).single();
        jdbc().sql("UPDATE enrolment SET status = 'DROPPED_OUT' WHERE person_id = :p").param("p", leaver).update();
        try {
            JsonNode generated = postJson("/api/v1/aid/terms/" + termId + "/generate", "hm-zizhu", "");
            int entitled = generated.get("entitled").asInt();
            assertThat(entitled).isGreaterThan(100);
            long entries = jdbc().sql("SELECT COUNT(*) FROM ident_entry WHERE round_id = :r").param("r", round)
                    .query(Long.class).single();
            long withAid = jdbc().sql("SELECT COUNT(DISTINCT person_id) FROM aid_entitlement WHERE term_id = :t")
                    .param("t", termId).query(Long.class).single();
            // 应助尽助: every child of the round either holds an item or is listed with the reason.
            assertThat(withAid + generated.get("missed").asLong()).isEqualTo(entries);
            assertThat(jdbc().sql("SELECT reason FROM aid_missed WHERE term_id = :t AND person_id = :p")
                    .param("t", termId).param("p", leaver).query(String.class).single()).isEqualTo("LEFT_SCHOOL");
            JsonNode missed = json(mvc().perform(get("/api/v1/aid/terms/" + termId + "/missed").param("size", "500")
                    .header("Authorization", bearer("hm-zizhu"))).andExpect(status().isOk()));
            assertThat(missed.get("total").asLong()).isEqualTo(generated.get("missed").asLong());
            // Boarders in primary school get 500 this term (1000 a year), day pupils on the roster 250.
            assertThat(jdbc().sql("SELECT DISTINCT amount FROM aid_entitlement WHERE term_id = :t AND item_code = 'BOARDING_PRIMARY'")
                    .param("t", termId).query(BigDecimal.class).list()).isNotEmpty()
                    .allSatisfy(a -> assertThat(a).isEqualByComparingTo("500"));
            // The database refuses a second entitlement of the same item, student and term — whatever term row asks.
            Long someone = jdbc().sql("SELECT MIN(id) FROM aid_entitlement WHERE term_id = :t").param("t", termId)
                    .query(Long.class).single();
            try {
                jdbc().sql("""
                        INSERT INTO aid_entitlement (term_id, term_code, person_id, student_id, name, school_code,
                            region_code, stage, grade, source, level, item_id, item_code, kind, amount, status, created_at)
                        SELECT term_id, term_code, person_id, student_id, name, school_code, region_code, stage, grade,
                            source, level, item_id, item_code, kind, amount, 'DUE', created_at
                        FROM aid_entitlement WHERE id = :id""").param("id", someone).update();
                throw new AssertionError("a duplicate entitlement was written");
            } catch (DataIntegrityViolationException expected) {
                // the key holds
            }
            // Generating again changes nothing.
            assertThat(postJson("/api/v1/aid/terms/" + termId + "/generate", "hm-zizhu", "").get("entitled").asInt())
                    .isEqualTo(entitled);

            // Funds: the central special fund pays the living allowances first, the backstop the rest until it
            // runs out; the shortfall is reported before anything is approved.
            BigDecimal cash = jdbc().sql("SELECT SUM(amount) FROM aid_entitlement WHERE term_id = :t AND kind = 'CASH'")
                    .param("t", termId).query(BigDecimal.class).single();
            BigDecimal living = jdbc().sql("""
                    SELECT SUM(amount) FROM aid_entitlement WHERE term_id = :t AND item_code IN
                    ('BOARDING_PRIMARY','DAY_PRIMARY','BOARDING_JUNIOR','DAY_JUNIOR')""").param("t", termId)
                    .query(BigDecimal.class).single();
            postJson("/api/v1/aid/funds", "hm-zizhu", """
                    {"code":"HM-2025-CENTRAL","name":"2025年中央义务教育生活补助专项","kind":"CENTRAL_SPECIAL",
                     "budgetYear":2025,"budget":"%s","items":["BOARDING_PRIMARY","DAY_PRIMARY","BOARDING_JUNIOR","DAY_JUNIOR"]}"""
                    .formatted(living.toPlainString()));
            BigDecimal backstop = cash.subtract(living).subtract(new BigDecimal("1000.00"));
            postJson("/api/v1/aid/funds", "hm-zizhu", """
                    {"code":"HM-2025-BACKSTOP","name":"2025年本级兜底资金","kind":"COUNTY_BACKSTOP",
                     "budgetYear":2025,"budget":"%s"}""".formatted(backstop.toPlainString()));
            String token = bearer("hm-zizhu");
            String first = mvc().perform(post("/api/v1/aid/terms/" + termId + "/allocate").header("Authorization", token)
                    .header("Idempotency-Key", "hm-2025-autumn-allocate")).andExpect(status().isOk()).andReturn()
                    .getResponse().getContentAsString(StandardCharsets.UTF_8);
            JsonNode report = JsonMapper.builder().build().readTree(first);
            long ledgerRows = jdbc().sql("SELECT COUNT(*) FROM aid_ledger").query(Long.class).single();
            // The same request again (a double click, a retry after a lost answer): the first answer, nothing else.
            assertThat(mvc().perform(post("/api/v1/aid/terms/" + termId + "/allocate").header("Authorization", token)
                    .header("Idempotency-Key", "hm-2025-autumn-allocate")).andExpect(status().isOk()).andReturn()
                    .getResponse().getContentAsString(StandardCharsets.UTF_8)).isEqualTo(first);
            assertThat(jdbc().sql("SELECT COUNT(*) FROM aid_ledger").query(Long.class).single()).isEqualTo(ledgerRows);
            refusedWith(mvc().perform(post("/api/v1/aid/terms/" + termId + "/generate").header("Authorization", token)
                    .header("Idempotency-Key", "hm-2025-autumn-allocate")),
                    "这个 Idempotency-Key 已用于另一项操作，请为新的操作使用新的键。");
            assertThat(new BigDecimal(report.get("allocated").asString())).isEqualByComparingTo(cash.subtract(new BigDecimal("1000")));
            assertThat(new BigDecimal(report.get("uncovered").asString())).isEqualByComparingTo("1000");
            assertThat(report.get("shortByItem").properties()).isNotEmpty();
            // Every living allowance is paid from the central fund, nothing of it from the backstop.
            assertThat(jdbc().sql("""
                    SELECT COUNT(*) FROM aid_allocation a JOIN aid_fund f ON f.id = a.fund_id
                    JOIN aid_entitlement e ON e.id = a.entitlement_id
                    WHERE e.term_id = :t AND e.item_code IN ('BOARDING_PRIMARY','DAY_PRIMARY','BOARDING_JUNIOR','DAY_JUNIOR')
                    AND f.code <> 'HM-2025-CENTRAL'""").param("t", termId).query(Long.class).single()).isZero();
            // Allocating again pays nothing twice.
            JsonNode again = postJson("/api/v1/aid/terms/" + termId + "/allocate", "hm-zizhu", "");
            assertThat(new BigDecimal(again.get("uncovered").asString())).isEqualByComparingTo("1000");
            assertThat(jdbc().sql("SELECT SUM(amount) FROM aid_allocation WHERE term_id = :t").param("t", termId)
                    .query(BigDecimal.class).single()).isEqualByComparingTo(cash.subtract(new BigDecimal("1000")));
            JsonNode check = json(mvc().perform(get("/api/v1/aid/ledger/check").header("Authorization",
                    bearer("hm-zizhu"))).andExpect(status().isOk()));
            assertThat(check.get("balanced").asBoolean()).as(check.toString()).isTrue();
            assertThat(check.get("funds").size()).isEqualTo(2);
            for (JsonNode f : check.get("funds")) {
                assertThat(new BigDecimal(f.get("available").asString())).isEqualByComparingTo("0");
            }
            // A fund whose budget would drop below what it has allocated is refused.
            long backstopId = check.get("funds").get(1).get("id").asLong();
            refusedWith(mvc().perform(post("/api/v1/aid/funds/" + backstopId + "/budget").header("Authorization",
                    bearer("hm-zizhu")).contentType(MediaType.APPLICATION_JSON).content("{\"budget\":\"1\",\"version\":0}")),
                    "资金 HM-2025-BACKSTOP 已分配 " + backstop.setScale(2).toPlainString() + " 元，预算不能低于已分配金额。");
            // The budget raised by the shortfall: allocating again fills what was left, adding to the part the
            // backstop already pays where it paid one, and every cash entitlement is then allocated in full.
            long unpaid = jdbc().sql("""
                    SELECT COUNT(*) FROM aid_entitlement WHERE term_id = :t AND kind = 'CASH' AND allocated = 0""")
                    .param("t", termId).query(Long.class).single();
            long linesBefore = jdbc().sql("SELECT COUNT(*) FROM aid_allocation WHERE term_id = :t").param("t", termId)
                    .query(Long.class).single();
            postJson("/api/v1/aid/funds/" + backstopId + "/budget", "hm-zizhu",
                    "{\"budget\":\"" + backstop.add(new BigDecimal("1000")).toPlainString() + "\",\"version\":0}");
            JsonNode filled = postJson("/api/v1/aid/terms/" + termId + "/allocate", "hm-zizhu", "");
            assertThat(new BigDecimal(filled.get("uncovered").asString())).isEqualByComparingTo("0");
            assertThat(jdbc().sql("""
                    SELECT COUNT(*) FROM aid_entitlement WHERE term_id = :t AND kind = 'CASH'
                    AND (status <> 'ALLOCATED' OR allocated <> amount)""").param("t", termId).query(Long.class).single())
                    .isZero();
            // A new line for each entitlement that had none; one partly paid by the backstop adds to its line.
            assertThat(unpaid).isPositive();
            assertThat(jdbc().sql("SELECT COUNT(*) FROM aid_allocation WHERE term_id = :t").param("t", termId)
                    .query(Long.class).single()).isEqualTo(linesBefore + unpaid);
            JsonNode refilled = json(mvc().perform(get("/api/v1/aid/ledger/check").header("Authorization",
                    bearer("hm-zizhu"))).andExpect(status().isOk()));
            assertThat(refilled.get("balanced").asBoolean()).as(refilled.toString()).isTrue();

            // The aid list as a spreadsheet: a row per entitlement and fund part, the parts adding up to what was
            // allocated; the fund's statement ends on what is available.
            List<List<String>> sheet = AbstractWebTests.readXlsx(mvc().perform(get("/api/v1/aid/terms/" + termId
                    + "/entitlements.xlsx").header("Authorization", token)).andExpect(status().isOk()).andReturn()
                    .getResponse().getContentAsByteArray());
            assertThat(sheet.get(0)).contains("学校", "学生", "项目", "本项资金（元）");
            assertThat(sheet.size() - 1).isGreaterThanOrEqualTo(entitled);
            BigDecimal parts = sheet.subList(1, sheet.size()).stream().map(r -> r.get(9)).filter(v -> !v.isEmpty())
                    .map(BigDecimal::new).reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(parts).isEqualByComparingTo(cash);
            List<List<String>> statement = AbstractWebTests.readXlsx(mvc().perform(get("/api/v1/aid/funds/"
                    + backstopId + "/statement.xlsx").header("Authorization", token)).andExpect(status().isOk())
                    .andReturn().getResponse().getContentAsByteArray());
            assertThat(statement.get(1)).contains("预算下达或调整", backstop.setScale(2).toPlainString());
            assertThat(statement.get(statement.size() - 1).get(7)).isEqualTo("0.00");
            // The same statement written by a job, for a client that does not wait.
            var asked = mvc().perform(get("/api/v1/aid/funds/" + backstopId + "/statement.xlsx")
                    .header("Authorization", token).header("Prefer", "respond-async")).andExpect(status().isAccepted())
                    .andReturn().getResponse();
            JsonNode statementJob = awaitJob(asked.getHeader("Location"), token);
            assertThat(statementJob.get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(AbstractWebTests.readXlsx(mvc().perform(get(statementJob.get("apiUrl").asString())
                    .header("Authorization", token)).andExpect(status().isOk()).andReturn().getResponse()
                    .getContentAsByteArray())).isEqualTo(statement);
            mvc().perform(get("/api/v1/aid/terms/" + termId + "/entitlements.xlsx").header("Authorization",
                    bearer("zizhu"))).andExpect(status().isNotFound());
            mvc().perform(get("/api/v1/aid/funds/" + backstopId + "/statement.xlsx").header("Authorization",
                    bearer("zizhu"))).andExpect(status().isNotFound());

            // Wuxue's center sees nothing of Huangmei's term, entitlements, funds or ledger.
            for (String path : List.of("/api/v1/aid/terms/" + termId, "/api/v1/aid/terms/" + termId + "/entitlements",
                    "/api/v1/aid/terms/" + termId + "/missed", "/api/v1/aid/terms/" + termId + "/summary")) {
                mvc().perform(get(path).header("Authorization", bearer("zizhu"))).andExpect(status().isNotFound());
            }
            mvc().perform(post("/api/v1/aid/terms/" + termId + "/allocate").header("Authorization", bearer("zizhu")))
                    .andExpect(status().isNotFound());
            assertThat(json(mvc().perform(get("/api/v1/aid/terms").header("Authorization", bearer("zizhu")))
                    .andExpect(status().isOk())).toString()).doesNotContain("2025-AUTUMN");
            JsonNode wuxueFunds = json(mvc().perform(get("/api/v1/aid/funds").header("Authorization", bearer("zizhu")))
                    .andExpect(status().isOk()));
            assertThat(wuxueFunds.toString()).doesNotContain("HM-2025");
            // The page shows the figures a center reads; a school reviewer of Wuxue gets no Huangmei page.
            String page = mvc().perform(get("/aid/terms/" + termId).cookie(login("hm-zizhu")))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
            assertThat(page).contains("黄梅县").contains("应助尽助").contains("学籍显示已不在校");
            mvc().perform(get("/aid/terms/" + termId).cookie(login("xuexiao-shenhe"))).andExpect(status().isNotFound());
        } finally {
            jdbc().sql("UPDATE enrolment SET status = 'IN_SCHOOL' WHERE person_id = :p").param("p", leaver).update();
        }
    }

    /**
     * Pupils living in Wuxue and taught outside it (the demo's universities) hold aid of Wuxue's term that no school
     * of Wuxue stands for: the center's clerk prepares the school's batch, another of the center's people checks it,
     * a third approves, and the bank file is written. Nobody takes two steps; a school reviewer cannot check it; the
     * other county's center neither sees nor prepares it.
     */
    @Test
    default void aBatchOfPupilsTaughtOutsideTheCountyIsPreparedAndCheckedByTheCenterAndApprovedByAThird() throws Exception {
        long term = StreamSupport.stream(json(mvc().perform(get("/api/v1/aid/terms").header("Authorization",
                        bearer("zizhu"))).andExpect(status().isOk())).spliterator(), false)
                .filter(t -> t.get("termCode").asString().equals("2025-SPRING")).findFirst().orElseThrow()
                .get("id").asLong();
        String path = "/api/v1/aid/terms/" + term + "/outside-schools";
        // The demo paid every university's batch but one, left for a visitor.
        JsonNode due = json(mvc().perform(get(path).header("Authorization", bearer("zizhu-jingban")))
                .andExpect(status().isOk()));
        assertThat(due.size()).isEqualTo(1);
        String school = due.get(0).get("schoolCode").asString();
        int lines = due.get(0).get("lines").asInt();
        assertThat(lines).isPositive();
        assertThat(due.get(0).get("schoolName").asString()).isNotEqualTo(school).isNotBlank();
        // Neither a school of the county nor the other county's center is shown or let do it.
        assertThat(json(mvc().perform(get(path).header("Authorization", bearer("xuexiao-shenhe")))
                .andExpect(status().isOk())).size()).isZero();
        mvc().perform(get(path).header("Authorization", bearer("hm-zizhu"))).andExpect(status().isNotFound());
        mvc().perform(post("/api/v1/aid/terms/" + term + "/batches").param("school", school)
                .header("Authorization", bearer("hm-zizhu"))).andExpect(status().isNotFound());
        mvc().perform(post("/api/v1/aid/terms/" + term + "/batches").param("school", school)
                .header("Authorization", bearer("xuexiao-shenhe"))).andExpect(status().isForbidden());

        JsonNode b = postJson("/api/v1/aid/terms/" + term + "/batches?school=" + school, "zizhu-jingban", "");
        long id = b.get("id").asLong();
        assertThat(b.get("lines").asInt()).isEqualTo(lines);
        assertThat(json(mvc().perform(get(path).header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk())).size()).isZero();
        String step = "/api/v1/aid/batches/" + id + "/";
        refusedWith(mvc().perform(post(step + "check").param("version", "0")
                .header("Authorization", bearer("zizhu-jingban"))), "同一人不能既经办又审核或批准同一批次。");
        mvc().perform(post(step + "check").param("version", "0").header("Authorization", bearer("xuexiao-shenhe")))
                .andExpect(status().isNotFound());
        refusedWith(mvc().perform(post(step + "approve").param("version", "0")
                .header("Authorization", bearer("zizhu"))), "该批次还未审核，不能批准。");
        b = postJson(step + "check?version=0", "zizhu-fuhe", "");
        assertThat(b.get("status").asString()).isEqualTo("CHECKED");
        assertThat(b.get("checkedBy").asString()).isEqualTo("zizhu-fuhe");
        assertThat(b.get("checkedByName").asString()).isEqualTo("县资助中心复核（演示）");
        for (String same : List.of("zizhu-jingban", "zizhu-fuhe")) {
            refusedWith(mvc().perform(post(step + "approve").param("version", "1")
                    .header("Authorization", bearer(same))), "同一人不能既经办又审核或批准同一批次。");
        }
        mvc().perform(post(step + "approve").param("version", "1").header("Authorization", bearer("hm-zizhu")))
                .andExpect(status().isNotFound());
        b = postJson(step + "approve?version=1", "zizhu", "");
        assertThat(b.get("status").asString()).isEqualTo("APPROVED");
        // The bank file pays the university's pupils: one line each.
        String file = mvc().perform(get(step + "bank-file.csv").header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(file.lines().filter(l -> !l.isBlank()).count() - 1).isEqualTo(lines);
        JsonNode check = json(mvc().perform(get("/api/v1/aid/ledger/check").header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk()));
        assertThat(check.get("balanced").asBoolean()).as(check.toString()).isTrue();
    }

    /**
     * Maker–checker: the school's clerk prepares, its reviewer checks, the aid center approves — three people; the
     * approved money becomes payable in the ledger once, however many times approval is sent.
     */
    @Test
    default void aBatchIsPreparedCheckedAndApprovedByThreeDifferentPeopleAndPaysOnce() throws Exception {
        long round = postJson("/api/v1/identification/rounds", "zizhu",
                "{\"name\":\"武穴市资助依据（批次）\",\"schoolYear\":2027,\"term\":\"AUTUMN\",\"scopeCode\":\"421182000000\"}")
                .get("id").asLong();
        jdbc().sql("UPDATE ident_round SET stage = 'FINAL' WHERE id = :id").param("id", round).update();
        long term = postJson("/api/v1/aid/terms", "zizhu",
                "{\"schoolYear\":2027,\"term\":\"AUTUMN\",\"roundId\":" + round + "}").get("id").asLong();
        postJson("/api/v1/aid/terms/" + term + "/generate", "zizhu", "");
        postJson("/api/v1/aid/funds", "zizhu", """
                {"code":"WX-2027-BACKSTOP","name":"2027年武穴市本级兜底资金","kind":"COUNTY_BACKSTOP","budgetYear":2027,
                 "budget":"100000000"}""");
        postJson("/api/v1/aid/terms/" + term + "/allocate", "zizhu", "");
        String school = jdbc().sql("SELECT scope_code FROM app_user WHERE username = 'xuexiao'").query(String.class).single();

        JsonNode batch = json(mvc().perform(post("/api/v1/aid/terms/" + term + "/batches")
                .header("Authorization", bearer("xuexiao"))).andExpect(status().isOk()));
        assertThat(batch.get("status").asString()).isEqualTo("PREPARED");
        assertThat(batch.get("schoolCode").asString()).isEqualTo(school);
        BigDecimal expected = jdbc().sql("SELECT SUM(allocated) FROM aid_entitlement WHERE term_id = :t AND school_code = :s "
                + "AND kind = 'CASH'").param("t", term).param("s", school).query(BigDecimal.class).single();
        assertThat(new BigDecimal(batch.get("total").asString())).isEqualByComparingTo(expected);
        long id = batch.get("id").asLong();
        // Nothing left to batch for the school; the clerk cannot check their own batch, nor approve it.
        refusedWith(mvc().perform(post("/api/v1/aid/terms/" + term + "/batches").header("Authorization", bearer("xuexiao"))),
                "本校没有已分配资金、尚未进入批次的资助项。");
        mvc().perform(post("/api/v1/aid/batches/" + id + "/check").param("version", "0")
                .header("Authorization", bearer("xuexiao"))).andExpect(status().isForbidden());
        refusedWith(mvc().perform(post("/api/v1/aid/batches/" + id + "/approve").param("version", "0")
                .header("Authorization", bearer("zizhu"))), "该批次还未审核，不能批准。");
        JsonNode checked = json(mvc().perform(post("/api/v1/aid/batches/" + id + "/check").param("version", "0")
                .header("Authorization", bearer("xuexiao-shenhe"))).andExpect(status().isOk()));
        assertThat(checked.get("status").asString()).isEqualTo("CHECKED");
        // The other county's center does not even find it.
        mvc().perform(post("/api/v1/aid/batches/" + id + "/approve").param("version", "1")
                .header("Authorization", bearer("hm-zizhu"))).andExpect(status().isNotFound());
        // Two approvals at the same moment: one goes through, the other is refused; the money moves once.
        String center = bearer("zizhu");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Integer> codes = new ArrayList<>();
        try {
            Callable<Integer> approve = () -> mvc().perform(post("/api/v1/aid/batches/" + id + "/approve")
                    .param("version", "1").header("Authorization", center)).andReturn().getResponse().getStatus();
            for (Future<Integer> f : pool.invokeAll(List.of(approve, approve))) {
                codes.add(f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertThat(codes).containsExactlyInAnyOrder(200, 409);
        assertThat(jdbc().sql("SELECT SUM(amount) FROM aid_ledger WHERE debit = 'PAYABLE' AND term_id = :t")
                .param("t", term).query(BigDecimal.class).single()).isEqualByComparingTo(expected);
        assertThat(jdbc().sql("SELECT COUNT(*) FROM aid_entitlement WHERE term_id = :t AND school_code = :s "
                + "AND kind = 'CASH' AND status <> 'APPROVED'").param("t", term).param("s", school)
                .query(Long.class).single()).isZero();
        JsonNode check = json(mvc().perform(get("/api/v1/aid/ledger/check").header("Authorization", center))
                .andExpect(status().isOk()));
        assertThat(check.get("balanced").asBoolean()).as(check.toString()).isTrue();

        // The bank file is complete or not written: first every child needs an account, own or a guardian's (the
        // demo's accounts, registered from the schools' sheet, are removed for this batch's children first).
        jdbc().sql("""
                DELETE FROM aid_account WHERE student_id IN (SELECT e.student_id FROM aid_batch_line l
                JOIN aid_entitlement e ON e.id = l.entitlement_id WHERE l.batch_id = :b)""").param("b", id).update();
        refusedWith(mvc().perform(get("/api/v1/aid/batches/" + id + "/bank-file.csv").header("Authorization", center)),
                "该批次有 " + batch.get("lines").asInt() + " 名学生没有登记收款账户：补齐后才能生成银行代发文件。");
        List<Object[]> kids = jdbc().sql("""
                SELECT DISTINCT e.student_id, e.name FROM aid_batch_line l JOIN aid_entitlement e ON e.id = l.entitlement_id
                WHERE l.batch_id = :b""").param("b", id).query((rs, n) -> new Object[]{rs.getLong(1), rs.getString(2)}).list();
        String clerk = bearer("xuexiao");
        long first = (Long) kids.get(0)[0];
        String card = luhn("62170028" + String.format("%010d", first));
        String wrongDigit = card.substring(0, 18) + (char) ('0' + (card.charAt(18) - '0' + 1) % 10);
        refusedWith(mvc().perform(put("/api/v1/aid/accounts/" + first).header("Authorization", clerk)
                        .contentType(MediaType.APPLICATION_JSON).content(account(kids.get(0)[1] + "", "SELF", wrongDigit))),
                "银行卡号校验位不对（16–19 位，末位为校验位），请核对卡号。");
        refusedWith(mvc().perform(put("/api/v1/aid/accounts/" + first).header("Authorization", clerk)
                        .contentType(MediaType.APPLICATION_JSON).content(account("王老师", "SELF", card))),
                "本人账户的户名必须与学生姓名一致。");
        refusedWith(mvc().perform(put("/api/v1/aid/accounts/" + first).header("Authorization", clerk)
                        .contentType(MediaType.APPLICATION_JSON).content(account("王老师", "GUARDIAN", card))),
                "监护人账户的户名必须是该学生家庭的成员。");
        mvc().perform(put("/api/v1/aid/accounts/" + first).header("Authorization", bearer("hm-zizhu"))
                .contentType(MediaType.APPLICATION_JSON).content(account(kids.get(0)[1] + "", "SELF", card)))
                .andExpect(status().isForbidden());
        // Every other child banks with the 农商行: each bank gets its own file.
        for (int i = 0; i < kids.size(); i++) {
            Object[] k = kids.get(i);
            long sid = (Long) k[0];
            String body = account((String) k[1], "SELF", luhn("62170028" + String.format("%010d", sid)));
            mvc().perform(put("/api/v1/aid/accounts/" + sid).header("Authorization", clerk)
                            .contentType(MediaType.APPLICATION_JSON)
                            .content(i % 2 == 1 ? body.replace("中国农业银行武穴支行", "湖北武穴农村商业银行") : body))
                    .andExpect(status().isOk()).andExpect(jsonPath("$.numberMasked").value(org.hamcrest.Matchers.containsString("****")));
        }
        String accountPage = mvc().perform(get("/aid/accounts/" + first).param("termId", String.valueOf(term))
                        .cookie(login("xuexiao"))).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(accountPage).contains((String) kids.get(0)[1]).contains(BankCard.mask(card))
                .doesNotContain(card);
        // A classmate's card under another holder is refused: money only to the child or a guardian.
        Object[] second = kids.get(1);
        refusedWith(mvc().perform(put("/api/v1/aid/accounts/" + second[0]).header("Authorization", clerk)
                        .contentType(MediaType.APPLICATION_JSON).content(account((String) second[1], "SELF", card))),
                "该账号已登记为另一名学生的收款账户且户名不同，请核对（资助资金只能打入学生本人或其监护人的账户）。");
        String file = mvc().perform(get("/api/v1/aid/batches/" + id + "/bank-file.csv").header("Authorization", center))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        List<String> fileLines = file.lines().toList();
        assertThat(fileLines).hasSize(batch.get("lines").asInt() + 1);
        assertThat(fileLines.get(0)).contains("户名", "账号", "金额（元）");
        assertThat(file).contains(card);
        assertThat(fileLines.subList(1, fileLines.size()).stream().map(l -> new BigDecimal(l.split(",")[3]))
                .reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo(expected);
        mvc().perform(get("/api/v1/aid/batches/" + id + "/bank-file.csv").header("Authorization", clerk))
                .andExpect(status().isForbidden());
        // One file per bank, as CSV or .xlsx: each holds that bank's lines only, and together they are the batch.
        JsonNode banks = json(mvc().perform(get("/api/v1/aid/batches/" + id + "/banks").header("Authorization", center))
                .andExpect(status().isOk()));
        assertThat(banks.size()).isEqualTo(2);
        int perBank = 0;
        for (JsonNode b : banks) {
            String bankName = b.get("bank").asString();
            List<String> csvLines = mvc().perform(get("/api/v1/aid/batches/" + id + "/bank-file.csv")
                            .param("bank", bankName).header("Authorization", center)).andExpect(status().isOk())
                    .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8).lines()
                    .skip(1).toList();
            assertThat(csvLines).hasSize(b.get("lines").asInt()).allSatisfy(l -> assertThat(l).contains(bankName));
            byte[] xlsx = mvc().perform(get("/api/v1/aid/batches/" + id + "/bank-file.xlsx").param("bank", bankName)
                    .header("Authorization", center)).andExpect(status().isOk()).andReturn().getResponse()
                    .getContentAsByteArray();
            Path x = Files.createTempFile("bank", ".xlsx");
            Files.write(x, xlsx);
            List<Tabular.Row> sheet = Tabular.rows(x, "bank.xlsx");
            Files.delete(x);
            assertThat(sheet.stream().skip(1).map(r -> String.join(",", r.cells())).toList())
                    .isEqualTo(csvLines.stream().map(l -> l.replace("\"", "")).toList());
            perBank += csvLines.size();
        }
        assertThat(perBank).isEqualTo(batch.get("lines").asInt());
        // Asked for as a job, the same file comes from the job's page, to its owner only.
        var asked = mvc().perform(get("/api/v1/aid/batches/" + id + "/bank-file.csv").header("Authorization", center)
                .header("Prefer", "respond-async")).andExpect(status().isAccepted()).andReturn().getResponse();
        JsonNode bankJob = awaitJob(asked.getHeader("Location"), center);
        assertThat(bankJob.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(bankJob.get("title").asString()).isEqualTo("生成批次 " + id + " 的银行代发文件（"
                + java.text.NumberFormat.getIntegerInstance(Locale.SIMPLIFIED_CHINESE)
                .format(batch.get("lines").asInt()) + " 笔）");
        assertThat(mvc().perform(get(bankJob.get("apiUrl").asString()).header("Authorization", center))
                .andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8)).isEqualTo(file);
        mvc().perform(get(bankJob.get("apiUrl").asString()).header("Authorization", bearer("hm-zizhu")))
                .andExpect(status().isNotFound());
        assertThat(jdbc().sql("SELECT COUNT(*) FROM audit_event WHERE action = 'AID_BANK_FILE' AND target_id = :b")
                .param("b", String.valueOf(id)).query(Long.class).single()).isEqualTo(2 + 2 * 2);

        // The bank's return: every line paid but the last, which failed. A file contradicting what was sent (an
        // amount, a repeated line) is rejected whole with the reasons and changes nothing.
        List<String[]> sent = fileLines.subList(1, fileLines.size()).stream().map(l -> l.split(",")).toList();
        StringBuilder good = new StringBuilder("序号,账号,金额,结果,原因\n");
        for (int i = 0; i < sent.size(); i++) {
            String[] l = sent.get(i);
            good.append(l[0]).append(',').append(l[2]).append(',').append(l[3]).append(',')
                    .append(i == sent.size() - 1 ? "失败,账户已销户" : "成功,").append('\n');
        }
        String wrongAmount = good.toString().replaceFirst("(?m)^(" + sent.get(0)[0] + "," + sent.get(0)[2] + "),[0-9.]+,",
                "$1,1.00,");
        JsonNode rejected = json(mvc().perform(post("/api/v1/aid/batches/" + id + "/returns").header("Authorization", center)
                .contentType("text/csv").content(wrongAmount)).andExpect(status().isUnprocessableContent()));
        assertThat(rejected.get("applied").asBoolean()).isFalse();
        assertThat(rejected.get("problems").toString()).contains("第 2 行：序号 " + sent.get(0)[0] + " 的金额与发出的");
        String repeated = good + sent.get(0)[0] + "," + sent.get(0)[2] + "," + sent.get(0)[3] + ",成功,\n";
        assertThat(json(mvc().perform(post("/api/v1/aid/batches/" + id + "/returns").header("Authorization", center)
                .contentType("text/csv").content(repeated)).andExpect(status().isUnprocessableContent()))
                .get("problems").toString()).contains("重复出现");
        assertThat(jdbc().sql("SELECT COUNT(*) FROM aid_ledger WHERE debit IN ('PAID', 'RETURNED') AND term_id = :t")
                .param("t", term).query(Long.class).single()).isZero();
        JsonNode applied = json(mvc().perform(post("/api/v1/aid/batches/" + id + "/returns").header("Authorization", center)
                .contentType("text/csv").content(good.toString())).andExpect(status().isOk()));
        assertThat(applied.get("paid").asInt()).isEqualTo(sent.size() - 1);
        assertThat(applied.get("failed").asInt()).isEqualTo(1);
        BigDecimal failedAmount = new BigDecimal(sent.get(sent.size() - 1)[3]);
        assertThat(jdbc().sql("SELECT SUM(amount) FROM aid_ledger WHERE debit = 'PAID' AND term_id = :t").param("t", term)
                .query(BigDecimal.class).single()).isEqualByComparingTo(expected.subtract(failedAmount));
        assertThat(json(mvc().perform(get("/api/v1/aid/ledger/check").header("Authorization", center))
                .andExpect(status().isOk())).get("balanced").asBoolean()).isTrue();
        // The same file again finds nothing waiting: refused, nothing paid twice.
        mvc().perform(post("/api/v1/aid/batches/" + id + "/returns").header("Authorization", center)
                .contentType("text/csv").content(good.toString())).andExpect(status().isUnprocessableContent());
        JsonNode afterReturn = json(mvc().perform(get("/api/v1/aid/terms/" + term + "/summary").header("Authorization", center))
                .andExpect(status().isOk()));
        assertThat(afterReturn.get("failedPayments").asLong()).isEqualTo(1);
        assertThat(afterReturn.get("byStage").size()).isPositive();
        // Only the failed line is re-issued, once; the next bank file holds just that line, under a new number.
        assertThat(json(mvc().perform(post("/api/v1/aid/batches/" + id + "/reissue").header("Authorization", center))
                .andExpect(status().isOk())).get("reissued").asInt()).isEqualTo(1);
        refusedWith(mvc().perform(post("/api/v1/aid/batches/" + id + "/reissue").header("Authorization", center)),
                "该批次没有可重新发放的记录：只有每次发放都失败的资助项才能重新发放。");
        List<String> next = mvc().perform(get("/api/v1/aid/batches/" + id + "/bank-file.csv").header("Authorization", center))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8)
                .lines().toList();
        assertThat(next).hasSize(2);
        // The page's return upload: a file that contradicts what was sent goes back to the page with the reasons.
        mvc().perform(MockMvcRequestBuilders.multipart("/aid/batches/" + id
                        + "/returns").file(new MockMultipartFile("file", "return.csv",
                        "text/csv", "序号,账号,金额,结果\n999,6217,1.00,成功\n".getBytes(StandardCharsets.UTF_8)))
                        .param("termId", String.valueOf(term)).cookie(login("zizhu"))
                        .with(SecurityMockMvcRequestPostProcessors.csrf()))
                .andExpect(status().is3xxRedirection())
                .andExpect(MockMvcResultMatchers.flash()
                        .attributeExists("returnProblems"));
        assertThat(next.get(1)).startsWith((sent.size() + 1) + ",");
        assertThat(json(mvc().perform(get("/api/v1/aid/ledger/check").header("Authorization", center))
                .andExpect(status().isOk())).get("balanced").asBoolean()).isTrue();

        // A batch the center prepared for another school cannot be approved by the same person; sent back, its
        // lines may be batched again.
        String other = jdbc().sql("SELECT MIN(school_code) FROM aid_entitlement WHERE term_id = :t AND kind = 'CASH' "
                + "AND school_code <> :s").param("t", term).param("s", school).query(String.class).single();
        JsonNode own = json(mvc().perform(post("/api/v1/aid/terms/" + term + "/batches").param("school", other)
                .header("Authorization", center)).andExpect(status().isOk()));
        long ownId = own.get("id").asLong();
        mvc().perform(post("/api/v1/aid/batches/" + ownId + "/check").param("version", "0")
                .header("Authorization", bearer("xiao-" + other))).andExpect(status().isOk());
        refusedWith(mvc().perform(post("/api/v1/aid/batches/" + ownId + "/approve").param("version", "1")
                .header("Authorization", center)), "同一人不能既经办又审核或批准同一批次。");
        refusedWith(mvc().perform(post("/api/v1/aid/batches/" + ownId + "/reject").param("version", "1")
                .header("Authorization", center).contentType(MediaType.APPLICATION_JSON).content("{}")),
                "退回时必须填写原因（不超过 300 字）。");
        mvc().perform(post("/api/v1/aid/batches/" + ownId + "/reject").param("version", "1")
                .header("Authorization", center).contentType(MediaType.APPLICATION_JSON)
                .content("{\"reason\":\"名单与学籍核对不一致\"}")).andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("REJECTED"));
        JsonNode again = json(mvc().perform(post("/api/v1/aid/terms/" + term + "/batches").param("school", other)
                .header("Authorization", center)).andExpect(status().isOk()));
        assertThat(again.get("lines").asInt()).isEqualTo(own.get("lines").asInt());
        // The school's page shows its batch and what it waits for.
        String page = mvc().perform(get("/aid/terms/" + term).cookie(login("xuexiao-shenhe"))).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(page).contains("发放批次").contains("已批准").contains("经办：县学校经办（演示）").doesNotContain("经办：xuexiao");
    }

    /**
     * A school's clerk registers the payee accounts of its pupils from one sheet: each row checked as one account on its
     * page is, and a pupil of another school or county is refused without saying who it is.
     */
    @Test
    default void aSchoolClerkImportsItsPupilsAccountsUnderTheSameRules() throws Exception {
        String school = villageOf("xuexiao");
        record Pupil(long id, String name, String idNumber, String head) {
        }
        List<Pupil> pupils = jdbc().sql("""
                SELECT e.id, p.name, s.id_sealed, (SELECT MIN(h.name) FROM person h WHERE h.household_id = p.household_id
                       AND h.relation = '户主' AND h.name <> p.name) AS head
                FROM enrolment e JOIN person p ON p.id = e.person_id JOIN person_sealed s ON s.person_id = p.id
                WHERE e.school_code = :s AND p.household_id IS NOT NULL ORDER BY e.id DESC LIMIT 20""").param("s", school)
                .query((rs, n) -> new Pupil(rs.getLong(1), rs.getString(2),
                        crypto().open(FieldCrypto.Kind.ID_NUMBER, rs.getString(3)), rs.getString(4)))
                .list().stream().filter(p -> p.head() != null).limit(3).toList();
        assertThat(pupils).hasSize(3);
        String hmPupil = jdbc().sql("""
                SELECT s.id_sealed FROM enrolment e JOIN person_sealed s ON s.person_id = e.person_id
                WHERE e.school_code = :s ORDER BY e.id LIMIT 1""").param("s", villageOf("hm-xuexiao"))
                .query(String.class).single();
        String hmName = jdbc().sql("SELECT p.name FROM enrolment e JOIN person p ON p.id = e.person_id "
                + "WHERE e.school_code = :s ORDER BY e.id LIMIT 1").param("s", villageOf("hm-xuexiao"))
                .query(String.class).single();
        Pupil a = pupils.get(0);
        Pupil b = pupils.get(1);
        Pupil c = pupils.get(2);
        String cardA = luhn("62999100" + String.format("%010d", a.id()));
        String cardC = luhn("62999101" + String.format("%010d", c.id()));
        String badLuhn = luhn("62999100" + String.format("%010d", c.id()));
        badLuhn = badLuhn.substring(0, 18) + (char) ('0' + (badLuhn.charAt(18) - '0' + 1) % 10);
        String csv = "学生身份证号,学生姓名,户名,与学生关系,账户类型,开户行,账号\n"
                + a.idNumber() + "," + a.name() + "," + a.head() + ",监护人,银行卡,湖北武穴农村商业银行," + cardA + "\n"  // 2 ok
                + b.idNumber() + "," + b.name() + "," + b.name() + ",本人,社保卡,中国农业银行武穴支行,929990000012345\n" // 3 ok
                + c.idNumber() + ",王某某," + c.name() + ",本人,银行卡,中国农业银行武穴支行," + cardA + "\n"           // 4 name
                + crypto().open(FieldCrypto.Kind.ID_NUMBER, hmPupil) + "," + hmName + "," + hmName
                + ",本人,银行卡,中国农业银行武穴支行," + cardA + "\n"                                                      // 5 scope
                + a.idNumber() + "," + a.name() + "," + a.head() + ",监护人,银行卡,湖北武穴农村商业银行," + cardA + "\n"  // 6 again
                + c.idNumber() + "," + c.name() + ",王老师,监护人,银行卡,中国农业银行武穴支行," + cardC + "\n"        // 7 holder
                + c.idNumber() + "," + c.name() + "," + c.name() + ",本人,银行卡,中国农业银行武穴支行," + badLuhn + "\n"   // 8 luhn
                + c.idNumber() + "," + c.name() + "," + c.name() + ",本人,银行卡,中国农业银行武穴支行," + cardA + "\n";    // 9 card
        JsonNode r = json(mvc().perform(MockMvcRequestBuilders
                        .multipart("/api/v1/imports/payee-accounts").file(new MockMultipartFile(
                                "file", "收款账户.csv", "text/csv", csv.getBytes(StandardCharsets.UTF_8)))
                        .header("Authorization", bearer("xuexiao"))).andExpect(status().isOk()));
        assertThat(r.get("accepted").asInt()).as(r.toString()).isEqualTo(2);
        assertThat(r.get("rejected").asInt()).isEqualTo(6);
        Map<Integer, String> errors = new HashMap<>();
        r.get("errors").forEach(e -> errors.merge(e.get("row").asInt(), e.get("field").asString() + "："
                + e.get("message").asString(), (x, y) -> x + "；" + y));
        assertThat(errors.get(4)).isEqualTo("学生姓名：学生姓名与学籍登记的不一致");
        assertThat(errors.get(5)).isEqualTo("学生身份证号：您的数据范围内没有此身份证号的在籍学生").doesNotContain(hmName);
        assertThat(errors.get(6)).contains("与本文件第 2 行重复");
        assertThat(errors.get(7)).isEqualTo("户名：监护人账户的户名必须是该学生家庭的成员。");
        assertThat(errors.get(8)).startsWith("账号：银行卡号校验位不对");
        assertThat(errors.get(9)).startsWith("户名：该账号已登记为另一名学生的收款账户且户名不同");
        mvc().perform(get("/api/v1/aid/accounts/" + a.id()).header("Authorization", bearer("xuexiao")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.holderName").value(a.head()))
                .andExpect(jsonPath("$.relation").value("GUARDIAN"))
                .andExpect(jsonPath("$.numberMasked").value(BankCard.mask(cardA)));
        mvc().perform(get("/api/v1/aid/accounts/" + b.id()).header("Authorization", bearer("xuexiao")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.type").value("SOCIAL_CARD"));
        // Nothing of the rows reaches the other county, and its school cannot import for Wuxue's pupils.
        mvc().perform(get("/api/v1/aid/accounts/" + a.id()).header("Authorization", bearer("hm-zizhu")))
                .andExpect(r2 -> assertThat(r2.getResponse().getStatus()).isIn(403, 404));
        JsonNode hm = json(mvc().perform(MockMvcRequestBuilders
                .multipart("/api/v1/imports/payee-accounts").file(new MockMultipartFile(
                        "file", "收款账户.csv", "text/csv", csv.getBytes(StandardCharsets.UTF_8)))
                .header("Authorization", bearer("hm-zizhu"))).andExpect(status().isOk()));
        assertThat(hm.get("accepted").asInt()).as(hm.toString()).isLessThanOrEqualTo(1);
        assertThat(jdbc().sql("SELECT holder_name FROM aid_account WHERE student_id = :s").param("s", a.id())
                .query(String.class).single()).isEqualTo(a.head());
        // A village cadre does not register accounts.
        mvc().perform(MockMvcRequestBuilders
                .multipart("/api/v1/imports/payee-accounts").file(new MockMultipartFile(
                        "file", "收款账户.csv", "text/csv", csv.getBytes(StandardCharsets.UTF_8)))
                .header("Authorization", bearer("cunwei"))).andExpect(status().isForbidden());
    }

    private static String account(String holder, String relation, String number) {
        return "{\"holderName\":\"" + holder + "\",\"relation\":\"" + relation
                + "\",\"type\":\"BANK_CARD\",\"bank\":\"中国农业银行武穴支行\",\"number\":\"" + number + "\"}";
    }

    /** The body with its Luhn check digit appended (19 digits for an 18-digit body). */
    private static String luhn(String body) {
        for (int d = 0; d <= 9; d++) {
            if (BankCard.luhnValid(body + d)) {
                return body + d;
            }
        }
        throw new IllegalStateException();
    }

    /**
     * A child who lives in one county and is taught in the other is in both counties' part of a city round: when
     * both county centers generate the same term at the same moment, the child is entitled once.
     */
    @Test
    default void twoCountiesGeneratingAtOnceEntitleAChildOfBothOnlyOnce() throws Exception {
        jdbc().sql("""
                INSERT INTO app_user (username, password_hash, display_name, role, scope_type, scope_code, demo, enabled)
                SELECT 'shi-zhongxin', password_hash, '市资助中心', 'CENTER', 'REGION', '421100000000', TRUE, TRUE
                FROM app_user WHERE username = 'zizhu'
                AND NOT EXISTS (SELECT 1 FROM app_user WHERE username = 'shi-zhongxin')""").update();
        long round = postJson("/api/v1/identification/rounds", "shi-zhongxin",
                "{\"name\":\"全市资助依据\",\"schoolYear\":2026,\"term\":\"SPRING\",\"scopeCode\":\"421100000000\"}")
                .get("id").asLong();
        jdbc().sql("UPDATE ident_round SET stage = 'FINAL' WHERE id = :id").param("id", round).update();
        // One Huangmei boarder in primary school is recorded as taught at a Wuxue school at the time of the round.
        var child = jdbc().sql("""
                SELECT x.person_id FROM ident_entry x JOIN enrolment e ON e.person_id = x.person_id
                WHERE x.round_id = :r AND x.village_code LIKE '421127%' AND x.source = 'ROSTER' AND e.stage = 'PRIMARY'
                AND e.status = 'IN_SCHOOL' ORDER BY x.person_id LIMIT 1""").param("r", round).query(Long.class).single();
        String wuxueSchool = jdbc().sql("SELECT MIN(code) FROM school WHERE region_code LIKE '421182%'")
                .query(String.class).single();
        String wuxueSchoolRegion = jdbc().sql("SELECT region_code FROM school WHERE code = :c").param("c", wuxueSchool)
                .query(String.class).single();
        jdbc().sql("UPDATE ident_entry SET school_code = :s, school_region_code = :sr WHERE round_id = :r AND person_id = :p")
                .param("s", wuxueSchool).param("sr", wuxueSchoolRegion).param("r", round).param("p", child).update();
        // … and the registry says so too: the child lives in Huangmei and is taught in Wuxue.
        var before = jdbc().sql("SELECT school_code, school_region_code FROM enrolment WHERE person_id = :p")
                .param("p", child).query((rs, n) -> new String[]{rs.getString(1), rs.getString(2)}).single();
        jdbc().sql("UPDATE enrolment SET school_code = :s, school_region_code = :sr WHERE person_id = :p")
                .param("s", wuxueSchool).param("sr", wuxueSchoolRegion).param("p", child).update();
        try {
            generateBothAtOnce(round, child);
        } finally {
            jdbc().sql("UPDATE enrolment SET school_code = :s, school_region_code = :sr WHERE person_id = :p")
                    .param("s", before[0]).param("sr", before[1]).param("p", child).update();
        }
    }

    private void generateBothAtOnce(long round, long child) throws Exception {
        long wuxue = postJson("/api/v1/aid/terms", "zizhu",
                "{\"schoolYear\":2026,\"term\":\"SPRING\",\"roundId\":" + round + "}").get("id").asLong();
        long huangmei = postJson("/api/v1/aid/terms", "hm-zizhu",
                "{\"schoolYear\":2026,\"term\":\"SPRING\",\"roundId\":" + round + "}").get("id").asLong();
        String zizhu = bearer("zizhu");
        String hm = bearer("hm-zizhu");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<Integer>> both = List.of(
                    () -> mvc().perform(post("/api/v1/aid/terms/" + wuxue + "/generate").header("Authorization", zizhu))
                            .andReturn().getResponse().getStatus(),
                    () -> mvc().perform(post("/api/v1/aid/terms/" + huangmei + "/generate").header("Authorization", hm))
                            .andReturn().getResponse().getStatus());
            for (Future<Integer> f : pool.invokeAll(both)) {
                assertThat(f.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdown();
        }
        List<Long> terms = jdbc().sql("SELECT term_id FROM aid_entitlement WHERE person_id = :p AND term_code = '2026-SPRING'")
                .param("p", child).query(Long.class).list();
        long items = jdbc().sql("""
                SELECT COUNT(DISTINCT item_code) FROM aid_entitlement WHERE person_id = :p AND term_code = '2026-SPRING'""")
                .param("p", child).query(Long.class).single();
        assertThat(terms).isNotEmpty().hasSize((int) items);
        long prevented = jdbc().sql("SELECT SUM(duplicates) FROM aid_term WHERE id IN (:a, :b)").param("a", wuxue)
                .param("b", huangmei).query(Long.class).single();
        assertThat(prevented).isGreaterThanOrEqualTo(1);

        // A school's reviewer reads the Wuxue term: its own school's rows only, the page and the summary included.
        String reviewer = bearer("xuexiao-shenhe");
        String school = jdbc().sql("SELECT scope_code FROM app_user WHERE username = 'xuexiao-shenhe'")
                .query(String.class).single();
        JsonNode mine = json(mvc().perform(get("/api/v1/aid/terms/" + wuxue + "/entitlements").param("size", "500")
                .header("Authorization", reviewer)).andExpect(status().isOk()));
        assertThat(mine.get("total").asLong()).isPositive();
        mine.get("items").forEach(i -> assertThat(i.get("schoolCode").asString()).isEqualTo(school));
        JsonNode summary = json(mvc().perform(get("/api/v1/aid/terms/" + wuxue + "/summary")
                .header("Authorization", reviewer)).andExpect(status().isOk()));
        assertThat(summary.get("bySchool").size()).isEqualTo(1);
        mvc().perform(get("/aid/terms/" + wuxue).cookie(login("xuexiao-shenhe"))).andExpect(status().isOk());

        // Two allocations of one term at the same moment (two clerks, two instances) pay each entitlement once: the
        // allocation is a job keyed by the term, so the second either finds the first ended or is refused (409).
        postJson("/api/v1/aid/funds", "hm-zizhu", """
                {"code":"HM-2027-BACKSTOP","name":"2027年本级兜底资金","kind":"COUNTY_BACKSTOP","budgetYear":2027,
                 "budget":"100000000"}""");
        ExecutorService twice = Executors.newFixedThreadPool(2);
        try {
            Callable<Integer> allocate = () -> mvc().perform(post("/api/v1/aid/terms/" + huangmei + "/allocate")
                    .header("Authorization", hm)).andReturn().getResponse().getStatus();
            List<Integer> answers = new ArrayList<>();
            for (Future<Integer> f : twice.invokeAll(List.of(allocate, allocate))) {
                answers.add(f.get());
            }
            assertThat(answers).contains(200).allMatch(code -> code == 200 || code == 409);
        } finally {
            twice.shutdown();
        }
        BigDecimal cash = jdbc().sql("SELECT SUM(amount) FROM aid_entitlement WHERE term_id = :t AND kind = 'CASH'")
                .param("t", huangmei).query(BigDecimal.class).single();
        assertThat(jdbc().sql("SELECT SUM(amount) FROM aid_allocation WHERE term_id = :t").param("t", huangmei)
                .query(BigDecimal.class).single()).isEqualByComparingTo(cash);
        JsonNode check = json(mvc().perform(get("/api/v1/aid/ledger/check").header("Authorization", hm))
                .andExpect(status().isOk()));
        assertThat(check.get("balanced").asBoolean()).as(check.toString()).isTrue();

        // A client that does not wait gets the job at once and follows it to its end, as for every long work. (A
        // generation, which re-reads every enrolment: an allocation with nothing left to pay can end before the
        // answer is written, and is then answered with its result, as RFC 7240 allows.)
        var accepted = mvc().perform(post("/api/v1/aid/terms/" + huangmei + "/generate").header("Authorization", hm)
                .header("Prefer", "respond-async")).andExpect(status().isAccepted()).andReturn().getResponse();
        String location = accepted.getHeader("Location");
        assertThat(location).startsWith("/api/v1/jobs/");
        JsonNode job = null;
        for (int i = 0; i < 300; i++) {
            job = json(mvc().perform(get(location).header("Authorization", hm)).andExpect(status().isOk()));
            if (!job.get("state").asString().matches("QUEUED|RUNNING")) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(job.get("state").asString()).isEqualTo("SUCCEEDED");
        // Another county's center cannot read the job (only its owner can).
        mvc().perform(get(location).header("Authorization", bearer("zizhu"))).andExpect(status().isNotFound());
    }
}
