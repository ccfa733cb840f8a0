package org.fuzhi.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import jakarta.servlet.http.Cookie;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fuzhi.common.Masking;
import org.fuzhi.platform.FieldCrypto;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Identification rounds, their verification workflow, the public notice, the hardship ledger, the diff of a re-run
 * and dropout-prevention cases, as county users meet them. Part of the web suite, so it runs on H2 and PostgreSQL
 * against the same demo county (whose first round is created on start).
 */
interface IdentificationWebTests {

    JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The demo county's current round (autumn 2026, in verification); its spring round before it is final and paid
     * (the demo's history).
     */
    String DEMO_ROUND = "SELECT id FROM ident_round WHERE scope_code = '421182000000' AND school_year = 2026 "
            + "AND term = 'AUTUMN'";

    MockMvc mvc();

    JdbcClient jdbc();

    /** The keys the test database was written with (ADR 0011). */
    FieldCrypto crypto();

    String bearer(String username) throws Exception;

    Cookie login(String username) throws Exception;

    default JsonNode json(ResultActions r) throws Exception {
        return JSON.readTree(r.andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8));
    }

    default String villageOf(String username) {
        return jdbc().sql("SELECT scope_code FROM app_user WHERE username = :u").param("u", username)
                .query(String.class).single();
    }

    default JsonNode createRound(String name, int year, String term, String scope) throws Exception {
        return json(mvc().perform(post("/api/v1/identification/rounds").header("Authorization", bearer("zizhu"))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"" + name + "\",\"schoolYear\":" + year + ",\"term\":\"" + term
                                + "\",\"scopeCode\":\"" + scope + "\"}"))
                .andExpect(status().isOk()));
    }

    default List<JsonNode> tasks(long roundId, String user) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        json(mvc().perform(get("/api/v1/identification/rounds/" + roundId + "/tasks").header("Authorization",
                bearer(user))).andExpect(status().isOk())).forEach(out::add);
        return out;
    }

    default JsonNode task(long roundId, String step, String unit) throws Exception {
        return tasks(roundId, "zizhu").stream().filter(t -> t.get("step").asString().equals(step)
                && (unit == null || t.get("unitCode").asString().equals(unit))).findFirst().orElseThrow();
    }

    /**
     * Completes a task as the user. A village's survey is submitted after its checklist: the helper first confirms
     * the children the village has not checked (as the same user, so a refusal there is the same as below).
     */
    default ResultActions complete(JsonNode task, String user) throws Exception {
        if (task.get("step").asString().equals("SURVEY")) {
            mvc().perform(post("/api/v1/identification/surveys/" + task.get("id").asLong() + "/confirm-rest")
                    .header("Authorization", bearer(user)));
        }
        return mvc().perform(post("/api/v1/identification/rounds/tasks/" + task.get("id").asLong() + "/complete")
                .param("version", task.get("version").asString()).header("Authorization", bearer(user))
                .contentType(MediaType.APPLICATION_JSON).content("{\"remark\":\"已逐户核对\"}"));
    }

    default ResultActions sendBack(JsonNode task, String user, String reason) throws Exception {
        return mvc().perform(post("/api/v1/identification/rounds/tasks/" + task.get("id").asLong() + "/return")
                .param("version", task.get("version").asString()).header("Authorization", bearer(user))
                .contentType(MediaType.APPLICATION_JSON)
                .content(reason == null ? "{}" : "{\"reason\":\"" + reason + "\"}"));
    }

    default ResultActions refusedWith(ResultActions r, String message) throws Exception {
        return r.andExpect(status().isConflict()).andExpect(jsonPath("$.message").value(message));
    }

    @Test
    default void aCityRoundFindsWhatTheCountyFindsAndEachCountyCenterVerifiesItsOwn() throws Exception {
        jdbc().sql("""
                INSERT INTO app_user (username, password_hash, display_name, role, scope_type, scope_code, demo, enabled)
                SELECT 'shi-zhongxin', password_hash, '市资助中心', 'CENTER', 'REGION', '421100000000', TRUE, TRUE
                FROM app_user WHERE username = 'zizhu'
                AND NOT EXISTS (SELECT 1 FROM app_user WHERE username = 'shi-zhongxin')""").update();
        String body = "{\"name\":\"全市识别\",\"schoolYear\":2022,\"term\":\"AUTUMN\",\"scopeCode\":\"%s\"}";
        // Above a county the linkage blocks each roster member within its own county; on the demo it must link and
        // grade exactly the children the county's own run does.
        long city = json(mvc().perform(post("/api/v1/identification/rounds").header("Authorization",
                        bearer("shi-zhongxin")).contentType(MediaType.APPLICATION_JSON)
                .content(body.formatted("421100000000"))).andExpect(status().isOk())).get("id").asLong();
        long county = json(mvc().perform(post("/api/v1/identification/rounds").header("Authorization",
                        bearer("zizhu")).contentType(MediaType.APPLICATION_JSON)
                .content(body.formatted("421182000000"))).andExpect(status().isOk())).get("id").asLong();
        // A code that is no region of the system (a typo) makes no empty round.
        refusedWith(mvc().perform(post("/api/v1/identification/rounds").header("Authorization", bearer("zizhu"))
                .contentType(MediaType.APPLICATION_JSON).content(body.formatted("421182999000"))),
                "识别范围必须是系统中已有的行政区划（12 位区划代码）。");
        // The city has two counties; its Wuxue part is exactly the county's own round.
        String entries = "SELECT COUNT(*) FROM ident_entry WHERE round_id = :r AND source = 'ROSTER' "
                + "AND village_code LIKE '421182%'";
        long cityRoster = jdbc().sql(entries).param("r", city).query(Long.class).single();
        assertThat(cityRoster).isGreaterThan(6000)
                .isEqualTo(jdbc().sql(entries).param("r", county).query(Long.class).single());
        assertThat(jdbc().sql("""
                SELECT COUNT(*) FROM ident_entry a WHERE a.round_id = :a AND a.village_code LIKE '421182%'
                AND NOT EXISTS (SELECT 1 FROM ident_entry b
                WHERE b.round_id = :b AND b.person_id = a.person_id AND b.source = a.source AND b.level = a.level)""")
                .param("a", city).param("b", county).query(Long.class).single()).isZero();

        // A county's center sees the city's round but may not re-run it for the whole city.
        mvc().perform(post("/api/v1/identification/rounds/" + city + "/rerun").param("version", "0")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isForbidden());
        // One aid-center task per county of the city; the county's center sees the city round and may not approve
        // its county before every unit below it has.
        List<JsonNode> centers = tasks(city, "shi-zhongxin").stream()
                .filter(t -> t.get("step").asString().equals("CENTER")).toList();
        assertThat(centers).extracting(t -> t.get("unitCode").asString()).containsExactly("421127000000", "421182000000");
        JsonNode own = tasks(city, "zizhu").stream().filter(t -> t.get("step").asString().equals("CENTER"))
                .findFirst().orElseThrow();
        long below = own.get("blockers").asLong();
        assertThat(below).isGreaterThan(400);
        refusedWith(complete(own, "zizhu"), "还有 " + below + " 个下级单位未完成，全部完成后才能通过。");
        // A village's cadre acts on its own village in the city round as in the county's.
        String village = villageOf("cunwei");
        JsonNode survey = tasks(city, "cunwei").stream().filter(t -> t.get("step").asString().equals("SURVEY")
                && t.get("unitCode").asString().equals(village)).findFirst().orElseThrow();
        complete(survey, "cunwei").andExpect(status().isOk()).andExpect(jsonPath("$.status").value("DONE"));
    }

    /**
     * The village survey is a checklist of the village's own children: each confirmed or flagged with a reason,
     * missing children reported, and the survey submitted only when every child is checked. Only the village
     * writes it; its township and the aid center read it; another village, a school and the other county's center
     * read nothing.
     */
    @Test
    default void aVillageSurveyIsAChecklistOfItsOwnChildren() throws Exception {
        String village = villageOf("cunwei");
        long id = createRound("村级普查清单", 2021, "SPRING", village).get("id").asLong();
        JsonNode task = task(id, "SURVEY", village);
        long taskId = task.get("id").asLong();
        String url = "/api/v1/identification/surveys/" + taskId;
        JsonNode list = json(mvc().perform(get(url).header("Authorization", bearer("cunwei")))
                .andExpect(status().isOk()));
        long inVillage = jdbc().sql("SELECT COUNT(*) FROM ident_entry WHERE round_id = :r AND village_code = :v")
                .param("r", id).param("v", village).query(Long.class).single();
        // The village's children by their household, not the pupils of schools in the village.
        assertThat(list.get("total").asLong()).isEqualTo(inVillage).isGreaterThan(2);
        assertThat(list.get("children").size()).isEqualTo((int) inVillage);
        assertThat(list.get("checked").asLong()).isZero();
        assertThat(list.get("mayEdit").asBoolean()).isTrue();
        assertThat(list.get("mayComplete").asBoolean()).isFalse();
        assertThat(list.get("villageName").asString()).contains(" ");

        // Not submitted while a child is unchecked: the refusal says how many.
        var submit = mvc().perform(post("/api/v1/identification/rounds/tasks/" + taskId + "/complete")
                .param("version", task.get("version").asString()).header("Authorization", bearer("cunwei")));
        refusedWith(submit, "名单上还有 " + inVillage + " 名儿童未核对：请逐一确认属实或标记问题后再提交普查。");

        long first = list.get("children").get(0).get("studentId").asLong();
        long second = list.get("children").get(1).get("studentId").asLong();
        String mark = url + "/children/";
        mvc().perform(post(mark + first).header("Authorization", bearer("cunwei"))
                        .contentType(MediaType.APPLICATION_JSON).content("{\"mark\":\"CONFIRMED\"}"))
                .andExpect(status().isOk()).andExpect(jsonPath("$.mark").value("CONFIRMED"))
                .andExpect(jsonPath("$.checkedBy").value(jdbc().sql(
                        "SELECT display_name FROM app_user WHERE username = 'cunwei'").query(String.class).single()));
        refusedWith(mvc().perform(post(mark + second).header("Authorization", bearer("cunwei"))
                .contentType(MediaType.APPLICATION_JSON).content("{\"mark\":\"NOT_IN_SCHOOL\"}")),
                "标记有问题时必须写明情况。");
        mvc().perform(post(mark + second).header("Authorization", bearer("cunwei"))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"mark\":\"NOT_IN_SCHOOL\",\"note\":\"去年秋天起在家务农\"}"))
                .andExpect(status().isOk()).andExpect(jsonPath("$.note").value("去年秋天起在家务农"));
        // A child of another village's list is not this task's.
        long elsewhere = jdbc().sql("SELECT MIN(student_id) FROM ident_entry WHERE round_id <> :r "
                + "AND village_code <> :v").param("r", id).param("v", village).query(Long.class).single();
        mvc().perform(post(mark + elsewhere).header("Authorization", bearer("cunwei"))
                .contentType(MediaType.APPLICATION_JSON).content("{\"mark\":\"CONFIRMED\"}"))
                .andExpect(status().isNotFound());
        refusedWith(mvc().perform(post(url + "/missing").header("Authorization", bearer("cunwei"))
                .contentType(MediaType.APPLICATION_JSON).content("{\"name\":\"测试儿童乙\"}")),
                "请写明这名儿童的情况（家庭、年龄、在哪上学或为何未上学）。");
        mvc().perform(post(url + "/missing").header("Authorization", bearer("cunwei"))
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\":\"测试儿童乙\",\"note\":\"九岁，随祖父母生活，未入学\"}")).andExpect(status().isOk());

        // Who else reads it, and who writes: the township and the center read; nobody but the village writes.
        JsonNode seen = json(mvc().perform(get(url).header("Authorization", bearer("xiangzhen")))
                .andExpect(status().isOk()));
        assertThat(seen.get("checked").asLong()).isEqualTo(2);
        assertThat(seen.get("flagged").asLong()).isEqualTo(1);
        assertThat(seen.get("mayEdit").asBoolean()).isFalse();
        assertThat(seen.get("missing").get(0).get("name").asString()).isEqualTo("测试儿童乙");
        mvc().perform(get(url).header("Authorization", bearer("zizhu"))).andExpect(status().isOk());
        mvc().perform(post(mark + first).header("Authorization", bearer("xiangzhen"))
                .contentType(MediaType.APPLICATION_JSON).content("{\"mark\":\"MOVED\",\"note\":\"x\"}"))
                .andExpect(status().isForbidden());
        String otherVillage = jdbc().sql("SELECT MIN(code) FROM region WHERE level = 'VILLAGE' AND code <> :v "
                + "AND code LIKE '421182%'").param("v", village).query(String.class).single();
        for (String outsider : List.of("cun-" + otherVillage, "xuexiao", "hm-zizhu")) {
            int code = mvc().perform(get(url).header("Authorization", bearer(outsider))).andReturn().getResponse()
                    .getStatus();
            assertThat(code).as(outsider).isIn(403, 404);
            mvc().perform(post(url + "/confirm-rest").header("Authorization", bearer(outsider)))
                    .andExpect(result -> assertThat(result.getResponse().getStatus()).as(outsider).isIn(403, 404));
        }
        // The township's task list says how far the village is and how many it flagged.
        JsonNode counted = task(id, "SURVEY", village);
        assertThat(counted.get("checked").asLong()).isEqualTo(2);
        assertThat(counted.get("flagged").asLong()).isEqualTo(1);

        // The rest confirmed at once, then the survey goes through; after that the list is closed.
        assertThat(json(mvc().perform(post(url + "/confirm-rest").header("Authorization", bearer("cunwei")))
                .andExpect(status().isOk())).get("confirmed").asLong()).isEqualTo(inVillage - 2);
        mvc().perform(post("/api/v1/identification/rounds/tasks/" + taskId + "/complete")
                        .param("version", task.get("version").asString()).header("Authorization", bearer("cunwei")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.status").value("DONE"));
        refusedWith(mvc().perform(post(mark + first).header("Authorization", bearer("cunwei"))
                        .contentType(MediaType.APPLICATION_JSON).content("{\"mark\":\"CONFIRMED\"}")),
                "本村已提交普查，名单不能再修改；如需更正，请乡镇退回后再改。");
        // The audit log says it in words.
        String log = mvc().perform(get("/audit").param("action", "SURVEY_CHECK").cookie(login("zizhu")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(log).contains(">核对普查名单<").contains("<dt>核对结果</dt><dd>未在校就读</dd>");
    }

    @Test
    default void aRoundWalksThroughEveryStepIsNoticedMaskedAndThenLocked() throws Exception {
        String village = villageOf("cunwei");
        String township = villageOf("xiangzhen");
        JsonNode round = createRound("村级补充识别", 2025, "AUTUMN", village);
        long id = round.get("id").asLong();
        assertThat(round.get("stage").asString()).isEqualTo("VERIFYING");

        List<JsonNode> all = tasks(id, "zizhu");
        assertThat(all.stream().filter(t -> t.get("step").asString().equals("SURVEY"))).hasSize(1);
        assertThat(all.stream().filter(t -> t.get("step").asString().equals("TOWNSHIP"))).hasSize(1);
        List<String> schools = all.stream().filter(t -> t.get("step").asString().equals("SCHOOL"))
                .map(t -> t.get("unitCode").asString()).toList();
        assertThat(schools).isNotEmpty();

        // The township cannot verify before the village has surveyed; the wrong role or unit may not act at all.
        refusedWith(complete(task(id, "TOWNSHIP", township), "xiangzhen"), "还有 1 个下级单位未完成，全部完成后才能通过。");
        complete(task(id, "SURVEY", village), "xuexiao-shenhe").andExpect(status().isForbidden());
        complete(task(id, "SURVEY", village), "xiangzhen").andExpect(status().isForbidden());
        String otherVillage = jdbc().sql("""
                SELECT MIN(code) FROM region WHERE level = 'VILLAGE' AND code <> :v""").param("v", village)
                .query(String.class).single();
        complete(task(id, "SURVEY", village), "cun-" + otherVillage).andExpect(status().isForbidden());

        complete(task(id, "SURVEY", village), "cunwei").andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("DONE"));
        refusedWith(complete(task(id, "SURVEY", village), "cunwei"), "该任务已经通过。");
        // Returning needs a reason; the returned village must survey again before the township can finish.
        refusedWith(sendBack(task(id, "SURVEY", village), "xiangzhen", null), "退回时必须填写原因。");
        sendBack(task(id, "SURVEY", village), "xiangzhen", "第3组有一户未入户核实").andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("RETURNED"))
                .andExpect(jsonPath("$.reason").value("第3组有一户未入户核实"));
        refusedWith(complete(task(id, "TOWNSHIP", township), "xiangzhen"), "还有 1 个下级单位未完成，全部完成后才能通过。");
        complete(task(id, "SURVEY", village), "cunwei").andExpect(status().isOk());
        complete(task(id, "TOWNSHIP", township), "xiangzhen").andExpect(status().isOk());
        refusedWith(sendBack(task(id, "SURVEY", village), "xiangzhen", "再看看"),
                "您已经通过了本单位的任务，不能再退回下级。");

        // The center cannot verify before every school has confirmed.
        refusedWith(complete(task(id, "CENTER", null), "zizhu"),
                "还有 " + schools.size() + " 个下级单位未完成，全部完成后才能通过。");
        String first = schools.get(0);
        sendBack(task(id, "TOWNSHIP", township), "xiao-" + first, "学生王某已转学").andExpect(status().isOk());
        complete(task(id, "TOWNSHIP", township), "xiangzhen").andExpect(status().isOk());
        JsonNode firstDone = json(complete(task(id, "SCHOOL", first), "xiao-" + first).andExpect(status().isOk()));
        refusedWith(sendBack(task(id, "TOWNSHIP", township), "xiao-" + first, "不对"),
                "您已经通过了本单位的任务，不能再退回下级。");
        if (schools.size() > 1) {
            // Another school may not pull the verification away from under a school that confirmed on it.
            refusedWith(sendBack(task(id, "TOWNSHIP", township), "xiao-" + schools.get(1), "不对"),
                    firstDone.get("unitName").asString() + " 已经在此基础上通过，不能再退回；如需更正，请联系资助中心。");
        }
        for (String school : schools.subList(1, schools.size())) {
            complete(task(id, "SCHOOL", school), "xiao-" + school).andExpect(status().isOk());
        }

        // The center's verification puts the round on public notice for five working days.
        complete(task(id, "CENTER", null), "zizhu").andExpect(status().isOk());
        JsonNode noticed = json(mvc().perform(get("/api/v1/identification/rounds/" + id)
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk())).get("round");
        assertThat(noticed.get("stage").asString()).isEqualTo("NOTICE");
        LocalDate start = LocalDate.parse(noticed.get("noticeStart").asString());
        LocalDate end = LocalDate.parse(noticed.get("noticeEnd").asString());
        assertThat(start).isEqualTo(LocalDate.now(ZoneId.of("Asia/Shanghai")));
        long working = start.datesUntil(end.plusDays(1)).filter(d -> d.getDayOfWeek().getValue() < 6).count();
        assertThat(working).isEqualTo(5);
        refusedWith(complete(task(id, "SURVEY", village), "cunwei"),
                "本轮正在公示，不能再修改；如有异议，请由资助中心撤回公示。");
        refusedWith(mvc().perform(post("/api/v1/identification/rounds/" + id + "/finish")
                .param("version", noticed.get("version").asString()).header("Authorization", bearer("zizhu"))),
                "公示期到 " + end + " 才结束，期满后才能定稿。");

        // Anyone may read the notice without signing in: names masked, no ID numbers, birth dates or levels — and
        // only the children the verification confirmed, never the model-rated hardship ledger (one of this round's
        // entries is made a hardship entry here to prove it stays off).
        long rated = jdbc().sql("SELECT MIN(person_id) FROM ident_entry WHERE round_id = :r AND source = 'ROSTER'")
                .param("r", id).query(Long.class).single();
        jdbc().sql("UPDATE ident_entry SET source = 'HARDSHIP' WHERE round_id = :r AND person_id = :p")
                .param("r", id).param("p", rated).update();
        String page = mvc().perform(get("/public/notices/" + id)).andExpect(status().isOk()).andReturn()
                .getResponse().getContentAsString(StandardCharsets.UTF_8);
        // Only the children the verification confirmed (the roster); never the model-rated hardship ledger.
        List<String> names = jdbc().sql("SELECT name FROM ident_entry WHERE round_id = :r AND source = 'ROSTER'")
                .param("r", id).query(String.class).list();
        long hardship = jdbc().sql("SELECT COUNT(*) FROM ident_entry WHERE round_id = :r AND source = 'HARDSHIP'")
                .param("r", id).query(Long.class).single();
        jdbc().sql("UPDATE ident_entry SET source = 'ROSTER' WHERE round_id = :r AND person_id = :p")
                .param("r", id).param("p", rated).update();
        assertThat(names).isNotEmpty();
        assertThat(hardship).isPositive();
        assertThat(page).contains("共 " + names.size() + " 条");
        for (String n : names) {
            assertThat(page).contains(Masking.name(n));
            if (n.length() > 1) {
                assertThat(page).doesNotContain(">" + n + "<");
            }
        }
        assertThat(page).doesNotContainPattern("\\d{17}[0-9X]").doesNotContain("特别困难").doesNotContain("脱贫户");
        // It reads as the 公示 a village posts: a title a parent understands, the issuing body, the period with dates
        // and working days, where objections go, the date line. Huangmei's center setting its own hotline changes
        // none of Wuxue's notices; a bad phone number is refused with the rule.
        DateTimeFormatter cn = DateTimeFormatter.ofPattern("yyyy年M月d日");
        assertThat(page).contains("关于")
                .contains("2025—2026学年秋季学期家庭经济困难学生认定结果的公示")
                .contains("公示期：" + start.format(cn) + "至" + end.format(cn) + "（5个工作日）。")
                .contains("请向武穴市学生资助管理中心实名反映").contains("联系电话：0713-0000000")
                .contains("onclick=\"window.print()\"");
        assertThat(page.substring(page.indexOf("id=\"notice-signature\""))).contains("武穴市学生资助管理中心")
                .contains(start.format(cn));
        mvc().perform(MockMvcRequestBuilders
                        .put("/api/v1/identification/notice-contact").header("Authorization", bearer("hm-zizhu"))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"issuer\":\"黄梅县学生资助管理中心\",\"phone\":\"0713-1111111\",\"address\":\"黄梅县演示路 2 号\"}"))
                .andExpect(status().isOk()).andExpect(jsonPath("$.saved").value(true));
        mvc().perform(MockMvcRequestBuilders
                        .put("/api/v1/identification/notice-contact").header("Authorization", bearer("zizhu"))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"issuer\":\"武穴市学生资助管理中心\",\"phone\":\"请拨打 110\",\"address\":\"x\"}"))
                .andExpect(status().is4xxClientError())
                .andExpect(jsonPath("$.message").value("电话只能由数字、空格和“-”组成（如 0713-6212345），7 至 32 位。"));
        mvc().perform(MockMvcRequestBuilders
                        .put("/api/v1/identification/notice-contact").header("Authorization", bearer("cunwei"))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"issuer\":\"某村\",\"phone\":\"0713-2222222\",\"address\":\"x\"}"))
                .andExpect(status().isForbidden());
        String after = mvc().perform(get("/public/notices/" + id).param("village", village)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(after).contains("联系电话：0713-0000000").doesNotContain("0713-1111111").doesNotContain("0713-2222222")
                .doesNotContain("请拨打");
        // One village's list is printed whole for its board, with its township and village named: that village's
        // children only (a village round also holds other villages' pupils of its schools).
        List<String> ours = jdbc().sql("""
                SELECT name FROM ident_entry WHERE round_id = :r AND source = 'ROSTER' AND village_code = :v""")
                .param("r", id).param("v", village).query(String.class).list();
        assertThat(ours).isNotEmpty();
        for (String n : ours) {
            assertThat(after).contains(Masking.name(n));
        }
        assertThat(after).contains("名单附后（共 " + ours.size() + " 名）");
        assertThat(after.split("<tr>").length - 1).isEqualTo(ours.size() + 1);
        String villageName = jdbc().sql("SELECT name FROM region WHERE code = :v").param("v", village)
                .query(String.class).single();
        assertThat(after).contains("id=\"notice-village-name\"").contains(villageName);
        assertThat(mvc().perform(get("/public/notices")).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8)).contains("村级补充识别");

        // Five working days later the notice is taken down by itself and the center makes the round final.
        jdbc().sql("UPDATE ident_round SET notice_start = :s, notice_end = :e WHERE id = :id")
                .param("s", Date.valueOf(start.minusDays(9))).param("e", Date.valueOf(start.minusDays(1)))
                .param("id", id).update();
        assertThat(mvc().perform(get("/public/notices/" + id)).andExpect(status().isNotFound()).andReturn()
                .getResponse().getContentAsString(StandardCharsets.UTF_8)).contains("已自动撤下");
        mvc().perform(post("/api/v1/identification/rounds/" + id + "/finish").param("version",
                        noticed.get("version").asString()).header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk()).andExpect(jsonPath("$.stage").value("FINAL"));

        // A final round is locked.
        refusedWith(mvc().perform(post("/api/v1/identification/rounds/" + id + "/rerun").param("version", "99")
                .header("Authorization", bearer("zizhu"))), "本轮已定稿，数据已锁定。");
        refusedWith(complete(task(id, "SURVEY", village), "cunwei"), "本轮已定稿，数据已锁定。");
        refusedWith(sendBack(task(id, "TOWNSHIP", township), "xiao-" + first, "太晚了"), "本轮已定稿，数据已锁定。");

        long audited = jdbc().sql("""
                SELECT COUNT(*) FROM audit_event WHERE target_type = 'round' AND target_id = :id
                AND action IN ('ROUND_TASK_COMPLETE', 'ROUND_TASK_RETURN', 'ROUND_NOTICE_START', 'ROUND_FINAL')""")
                .param("id", String.valueOf(id)).query(Long.class).single();
        assertThat(audited).isEqualTo(1 + 1 + 2 + 1 + schools.size() + 1 + 1 + 1 + 1);
    }

    @Test
    default void aVillageCadreSeesOnTheDashboardThatASurveyWaits() throws Exception {
        String home = mvc().perform(get("/").cookie(login("cunwei"))).andExpect(status().isOk()).andReturn()
                .getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(home).contains("2026—2027学年秋季学期精准识别").contains("项核实任务等您处理");
        String admin = mvc().perform(get("/").cookie(login("admin"))).andExpect(status().isOk()).andReturn()
                .getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(admin).doesNotContain("pending-rounds");
    }

    /**
     * The leader reads the round's progress by step, what it found and the dropout cases, per township too — each
     * county its own: the figures are recounted from the tables here, and Huangmei's leader sees none of Wuxue's.
     */
    @Test
    default void theLeadersDashboardShowsTheRoundByStepAndByTownship() throws Exception {
        for (String[] county : new String[][] {{"lingdao", "421182"}, {"hm-lingdao", "421127"}}) {
            String home = mvc().perform(get("/").cookie(login(county[0]))).andExpect(status().isOk()).andReturn()
                    .getResponse().getContentAsString(StandardCharsets.UTF_8);
            long round = jdbc().sql("""
                    SELECT MAX(id) FROM ident_round WHERE scope_code = :c AND stage <> 'FINAL'""")
                    .param("c", county[1] + "000000").query(Long.class).single();
            // The county's own open round, not a village's supplementary one another test may have opened.
            assertThat(home).contains("href=\"/identification/rounds/" + round + "\">查看轮次");
            long roster = jdbc().sql("""
                    SELECT COUNT(*) FROM ident_entry WHERE round_id = :r AND source = 'ROSTER'
                    AND village_code LIKE :p""").param("r", round).param("p", county[1] + "%").query(Long.class).single();
            long open = jdbc().sql("""
                    SELECT COUNT(*) FROM dropout_case WHERE status = 'SUSPECTED' AND village_code LIKE :p""")
                    .param("p", county[1] + "%").query(Long.class).single();
            String card = home.substring(home.indexOf("id=\"ident-card\""), home.indexOf("id=\"aid-card\"") > 0
                    ? home.indexOf("id=\"aid-card\"") : home.length());
            assertThat(card).contains("data-step=\"SURVEY\"").contains("data-step=\"SCHOOL\"")
                    .contains("data-step=\"CENTER\"").contains("村级普查")
                    .contains("id=\"fig-ident-roster\">" + roster + "<")
                    .contains("id=\"fig-cases-SUSPECTED\">" + open + "<");
            // Every township row belongs to the county; the rows add up to the county's figure.
            List<String> townships = jdbc().sql("""
                    SELECT name FROM region WHERE level = 'TOWNSHIP' AND code LIKE :p""").param("p", county[1] + "%")
                    .query(String.class).list();
            List<String> others = jdbc().sql("""
                    SELECT name FROM region WHERE level = 'TOWNSHIP' AND code NOT LIKE :p""").param("p", county[1] + "%")
                    .query(String.class).list();
            String rest = card.substring(card.indexOf("id=\"ident-township\""));
            String table = rest.substring(0, rest.indexOf("</table>"));
            Matcher row = Pattern.compile(
                    "<tr>\\s*<td>([^<]+)</td><td class=\"text-end\">(\\d+)</td>").matcher(table);
            long sum = 0;
            int rows = 0;
            while (row.find()) {
                rows++;
                assertThat(townships).contains(row.group(1));
                sum += Long.parseLong(row.group(2));
            }
            assertThat(rows).isPositive();
            assertThat(sum).isEqualTo(roster);
            assertThat(others.stream().filter(t -> !townships.contains(t)).filter(t -> table.contains(">" + t + "<")))
                    .isEmpty();
        }
    }

    @Test
    default void theDemoRoundProducesTheCountyFiguresAndAHardshipLedger() throws Exception {
        long id = jdbc().sql(DEMO_ROUND).query(Long.class).single();
        JsonNode summary = json(mvc().perform(get("/api/v1/identification/rounds/" + id)
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk())).get("summary");
        assertThat(summary.get("roster").asLong()).isEqualTo(6680);
        JsonNode byStage = summary.get("rosterByStage");
        assertThat(byStage.get("KINDERGARTEN").asLong()).isEqualTo(1238);
        assertThat(byStage.get("PRIMARY").asLong()).isEqualTo(3087);
        assertThat(byStage.get("JUNIOR").asLong()).isEqualTo(891);
        assertThat(byStage.get("SENIOR").asLong()).isEqualTo(446);
        assertThat(byStage.get("VOCATIONAL").asLong()).isEqualTo(226);
        assertThat(byStage.get("HIGHER").asLong()).isEqualTo(792);
        assertThat(summary.get("outsideCounty").asLong()).isPositive();
        assertThat(summary.get("hardship").asLong()).isPositive();
        assertThat(summary.get("openCases").asLong()).isGreaterThanOrEqualTo(1);

        // The ledger holds students the roster misses, each with the level and the indicators that put them there.
        JsonNode ledger = json(mvc().perform(get("/api/v1/identification/rounds/" + id + "/entries")
                .param("source", "HARDSHIP").param("size", "1000").header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk()));
        assertThat(ledger.get("total").asLong()).isEqualTo(summary.get("hardship").asLong());
        for (JsonNode e : ledger.get("items")) {
            assertThat(e.get("category").isNull()).isTrue();
            assertThat(e.get("level").asString()).isIn("特别困难", "困难", "一般困难");
            assertThat(e.get("score").asDouble()).isGreaterThanOrEqualTo(0.3);
            assertThat(e.get("deprived").size()).isPositive();
            long onRoster = jdbc().sql("SELECT COUNT(*) FROM person WHERE id = (SELECT person_id FROM enrolment "
                    + "WHERE id = :s) AND id IN (SELECT person_id FROM person_poverty_status)").param("s", e.get("studentId").asLong())
                    .query(Long.class).single();
            assertThat(onRoster).isZero();
        }
    }

    @Test
    default void aSchoolAndAVillageSeeOnlyTheirOwnPartOfARound() throws Exception {
        long id = jdbc().sql(DEMO_ROUND).query(Long.class).single();
        String school = villageOf("xuexiao-shenhe");
        JsonNode mine = json(mvc().perform(get("/api/v1/identification/rounds/" + id + "/entries")
                .param("size", "1000").header("Authorization", bearer("xuexiao-shenhe"))).andExpect(status().isOk()));
        long inSchool = jdbc().sql("SELECT COUNT(*) FROM ident_entry WHERE round_id = :r AND school_code = :s")
                .param("r", id).param("s", school).query(Long.class).single();
        assertThat(mine.get("total").asLong()).isEqualTo(inSchool).isPositive();
        mine.get("items").forEach(e -> assertThat(e.get("schoolCode").asString()).isEqualTo(school));
        // Schools confirm their own task only and see the township tasks they depend on, nothing else.
        tasks(id, "xuexiao-shenhe").forEach(t -> assertThat(t.get("step").asString()).isIn("SCHOOL", "TOWNSHIP"));

        String village = villageOf("cunwei");
        JsonNode villageEntries = json(mvc().perform(get("/api/v1/identification/rounds/" + id + "/entries")
                .param("size", "1000").header("Authorization", bearer("cunwei"))).andExpect(status().isOk()));
        long inVillage = jdbc().sql("SELECT COUNT(*) FROM ident_entry WHERE round_id = :r"
                        + " AND village_code = :v")
                .param("r", id).param("v", village).query(Long.class).single();
        assertThat(villageEntries.get("total").asLong()).isEqualTo(inVillage).isPositive();

        String ui = mvc().perform(get("/identification/rounds/" + id).cookie(login("cunwei")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        // The village's own survey task is there, leading to its checklist; other villages' tasks and the schools'
        // are not.
        assertThat(ui).contains("逐一核对名单").doesNotContain("学校确认</td>").doesNotContain("资助中心汇总核实</td>");
        mvc().perform(get("/api/v1/identification/rounds/" + id).header("Authorization", bearer("juanzeng")))
                .andExpect(status().isForbidden());
        mvc().perform(get("/api/v1/identification/rounds/" + id + "/entries").header("Authorization",
                bearer("admin"))).andExpect(status().isForbidden());
        // Leaders and evaluators read the round with names masked.
        JsonNode masked = json(mvc().perform(get("/api/v1/identification/rounds/" + id + "/entries")
                .param("size", "5").header("Authorization", bearer("pinggu"))).andExpect(status().isOk()));
        masked.get("items").forEach(e -> assertThat(e.get("name").asString()).contains("*"));
    }

    @Test
    default void aRerunShowsTheSchoolsConcernedWhatChanged() throws Exception {
        // A village other than the walk-through's, so the two tests do not share units.
        String village = jdbc().sql("""
                SELECT MAX(h.region_code) FROM household h JOIN person p ON p.household_id = h.id
                JOIN enrolment e ON e.person_id = p.id
                WHERE p.id IN (SELECT person_id FROM person_poverty_status) AND e.status = 'IN_SCHOOL' AND e.outside_county = FALSE""")
                .query(String.class).single();
        JsonNode round = createRound("动态调整", 2024, "SPRING", village);
        long id = round.get("id").asLong();
        record Moved(long enrolment, String from) {
        }
        Moved moved = jdbc().sql("""
                SELECT e.id, e.school_code FROM ident_entry x JOIN enrolment e ON e.id = x.student_id
                WHERE x.round_id = :r AND x.outside_county = FALSE ORDER BY e.id LIMIT 1""").param("r", id)
                .query((rs, n) -> new Moved(rs.getLong(1), rs.getString(2))).single();
        String to = jdbc().sql("""
                SELECT MIN(code) FROM school WHERE code <> :s AND region_code LIKE :county""")
                .param("s", moved.from()).param("county", village.substring(0, 6) + "%").query(String.class).single();
        jdbc().sql("UPDATE enrolment SET school_code = :to WHERE id = :id").param("to", to).param("id", moved.enrolment())
                .update();
        try {
            complete(task(id, "SURVEY", village), "cun-" + village).andExpect(status().isOk());
            String villageName = task(id, "SURVEY", village).get("unitName").asString();
            // The move changes the village's list, which its cadre has signed off: not reset without asking.
            mvc().perform(post("/api/v1/identification/rounds/" + id + "/rerun").param("version",
                            round.get("version").asString()).header("Authorization", bearer("zizhu")))
                    .andExpect(status().isConflict())
                    .andExpect(jsonPath("$.message", org.hamcrest.Matchers.containsString(villageName)));
            assertThat(task(id, "SURVEY", village).get("status").asString()).isEqualTo("DONE");
            mvc().perform(post("/api/v1/identification/rounds/" + id + "/rerun").param("version",
                            round.get("version").asString()).param("confirmReset", "true")
                            .header("Authorization", bearer("zizhu")))
                    .andExpect(status().isOk()).andExpect(jsonPath("$.round.runs").value(2))
                    .andExpect(jsonPath("$.resetUnits[0]").value(villageName));
            // The unit whose list changed verifies again on the new data.
            assertThat(task(id, "SURVEY", village).get("status").asString()).isEqualTo("PENDING");
            JsonNode seen = json(mvc().perform(get("/api/v1/identification/rounds/" + id + "/changes")
                    .header("Authorization", bearer("xiao-" + to))).andExpect(status().isOk()));
            assertThat(seen.size()).isEqualTo(1);
            assertThat(seen.get(0).get("kind").asString()).isEqualTo("MOVED_SCHOOL");
            json(mvc().perform(get("/api/v1/identification/rounds/" + id + "/changes")
                    .header("Authorization", bearer("xiao-" + moved.from())))).forEach(c ->
                    assertThat(c.get("kind").asString()).isEqualTo("MOVED_SCHOOL"));
            String unconcerned = jdbc().sql("""
                    SELECT MIN(code) FROM school WHERE code NOT IN (:a, :b) AND region_code LIKE :county""")
                    .param("a", to).param("b", moved.from()).param("county", village.substring(0, 6) + "%")
                    .query(String.class).single();
            assertThat(json(mvc().perform(get("/api/v1/identification/rounds/" + id + "/changes")
                    .header("Authorization", bearer("xiao-" + unconcerned)))).size()).isZero();
        } finally {
            jdbc().sql("UPDATE enrolment SET school_code = :s WHERE id = :id").param("s", moved.from())
                    .param("id", moved.enrolment()).update();
        }
    }

    @Test
    default void dropoutCasesFollowTheirWorkflowAndCloseOnlyOnEvidence() throws Exception {
        JsonNode open = json(mvc().perform(get("/api/v1/identification/cases").param("status", "SUSPECTED")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk()));
        assertThat(open.get("total").asLong()).isGreaterThanOrEqualTo(2);
        JsonNode c = open.get("items").get(0);
        long caseId = c.get("id").asLong();
        String path = "/api/v1/identification/cases/" + caseId;
        String tomorrow = LocalDate.now(ZoneId.of("Asia/Shanghai")).plusDays(1).toString();
        refusedWith(mvc().perform(post(path + "/visits").param("version", c.get("version").asString())
                .header("Authorization", bearer("zizhu")).contentType(MediaType.APPLICATION_JSON)
                .content("{\"visitedOn\":\"" + tomorrow + "\",\"visitors\":\"李老师\",\"notes\":\"家访\","
                        + "\"outcome\":\"NOT_MET\"}")), "走访日期不能晚于今天。");
        refusedWith(mvc().perform(post(path + "/visits").param("version", c.get("version").asString())
                .header("Authorization", bearer("zizhu")).contentType(MediaType.APPLICATION_JSON)
                .content("{\"visitedOn\":\"2026-10-10\",\"visitors\":\" \",\"notes\":\"家访\",\"outcome\":\"NOT_MET\"}")),
                "请填写走访人（最多 200 个字）。");
        JsonNode v1 = json(mvc().perform(post(path + "/visits").param("version", c.get("version").asString())
                .header("Authorization", bearer("zizhu")).contentType(MediaType.APPLICATION_JSON)
                .content("{\"visitedOn\":\"2026-10-10\",\"visitors\":\"李老师、村主任\",\"notes\":\"家长在外务工，孩子在家\","
                        + "\"outcome\":\"PROMISED_RETURN\"}")).andExpect(status().isOk()));
        assertThat(v1.get("visits").asInt()).isEqualTo(1);
        // Stale version: someone else logged a visit in between.
        mvc().perform(post(path + "/confirm").param("version", c.get("version").asString())
                .header("Authorization", bearer("zizhu"))).andExpect(status().isConflict());
        JsonNode confirmed = json(mvc().perform(post(path + "/confirm").param("version", v1.get("version").asString())
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk()));
        assertThat(confirmed.get("status").asString()).isEqualTo("DROPOUT");
        String v = confirmed.get("version").asString();
        refusedWith(mvc().perform(post(path + "/confirm").param("version", v).header("Authorization", bearer("zizhu"))),
                "只有疑似辍学的个案可以确认辍学。");
        refusedWith(close(path, v, "FOUND_IN_SCHOOL", ""), "已确认辍学的个案不能按“核实在校”结案，应按“已劝返复学”结案。");
        refusedWith(close(path, v, "BACK_IN_SCHOOL", ""), "学籍中还没有显示该儿童在读，请学校先办理入学或复学，再结案。");
        refusedWith(close(path, v, "EXEMPT", ""), "依法免学、缓学或送教上门，须写明依据（如评估意见、批准文件）。");
        close(path, v, "EXEMPT", "县残联评估意见：送教上门").andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("CLOSED"));
        refusedWith(mvc().perform(post(path + "/visits").param("version", String.valueOf(Integer.parseInt(v) + 1))
                .header("Authorization", bearer("zizhu")).contentType(MediaType.APPLICATION_JSON)
                .content("{\"visitedOn\":\"2026-10-11\",\"visitors\":\"李老师\",\"notes\":\"回访\",\"outcome\":\"OTHER\"}")),
                "个案已结案，不能再登记或修改。");

        // Back in school closes a case only once the registry shows the child enrolled 在读.
        JsonNode second = json(mvc().perform(get("/api/v1/identification/cases").param("status", "SUSPECTED")
                .header("Authorization", bearer("zizhu")))).get("items").get(0);
        long secondId = second.get("id").asLong();
        Long person = jdbc().sql("SELECT person_id FROM dropout_case WHERE id = :id").param("id", secondId)
                .query(Long.class).optional().orElse(null);
        assertThat(person).isNotNull();
        // A roster line carrying another child's ID number (a sibling's, say) must not close the case because
        // that other child is in school: the number's holder counts only when the line's name agrees with them.
        long member = jdbc().sql("SELECT roster_member_id FROM dropout_case WHERE id = :id").param("id", secondId)
                .query(Long.class).single();
        String ownIndex = jdbc().sql("SELECT id_index FROM roster_member WHERE id = :m").param("m", member)
                .query(String.class).optional().orElse(null);
        String pupilIndex = jdbc().sql("""
                SELECT MIN(p.id_index) FROM person p JOIN enrolment e ON e.person_id = p.id
                WHERE e.status = 'IN_SCHOOL' AND p.name <> (SELECT name FROM roster_member WHERE id = :m)""")
                .param("m", member).query(String.class).single();
        jdbc().sql("UPDATE roster_member SET id_index = :i WHERE id = :m").param("i", pupilIndex).param("m", member)
                .update();
        try {
            refusedWith(close("/api/v1/identification/cases/" + secondId, second.get("version").asString(),
                    "FOUND_IN_SCHOOL", ""), "学籍中还没有显示该儿童在读，请学校先办理入学或复学，再结案。");
        } finally {
            jdbc().sql("UPDATE roster_member SET id_index = :i WHERE id = :m").param("i", ownIndex)
                    .param("m", member).update();
        }
        String school = villageOf("xuexiao");
        jdbc().sql("""
                INSERT INTO enrolment (person_id, student_no_index, student_no_masked, school_code,
                                       school_region_code, stage, grade, status)
                SELECT :p, :no, :masked, code, region_code, 'PRIMARY', 3, 'IN_SCHOOL' FROM school
                WHERE code = :s""").param("p", person).param("s", school)
                .param("no", crypto().index("T" + person))
                .param("masked", Masking.studentNo("T" + person)).update();
        jdbc().sql("INSERT INTO enrolment_sealed (enrolment_id, student_no_sealed) "
                        + "SELECT id, :sealed FROM enrolment WHERE person_id = :p").param("p", person)
                .param("sealed", crypto().seal(FieldCrypto.Kind.STUDENT_NO, "T" + person)).update();
        try {
            close("/api/v1/identification/cases/" + secondId, second.get("version").asString(), "BACK_IN_SCHOOL",
                    "已在城关中心小学复学").andExpect(status().isOk()).andExpect(jsonPath("$.closeReason").value("BACK_IN_SCHOOL"));
        } finally {
            jdbc().sql("DELETE FROM enrolment WHERE person_id = :p").param("p", person).update();
        }

        // Outside the village's scope a case cannot be read; schools do not handle cases.
        String caseVillage = jdbc().sql("SELECT village_code FROM dropout_case WHERE id = :id").param("id", caseId)
                .query(String.class).single();
        String other = jdbc().sql("SELECT MIN(code) FROM region WHERE level = 'VILLAGE' AND code <> :v")
                .param("v", caseVillage).query(String.class).single();
        mvc().perform(get(path).header("Authorization", bearer("cun-" + other))).andExpect(status().isForbidden());
        mvc().perform(get(path).header("Authorization", bearer("cun-" + caseVillage))).andExpect(status().isOk())
                .andExpect(jsonPath("$.visits.length()").value(1));
        mvc().perform(get("/api/v1/identification/cases").header("Authorization", bearer("xuexiao")))
                .andExpect(status().isForbidden());
    }

    @Test
    default void aDraftModelIsTriedOnLiveDataWithItsCostThenPublishedAndUsedByTheNextRound() throws Exception {
        JsonNode current = json(mvc().perform(get("/api/v1/identification/models").header("Authorization",
                bearer("zizhu")))).valueStream().filter(m -> m.get("status").asString().equals("PUBLISHED"))
                .findFirst().orElseThrow();
        JsonNode draft = json(mvc().perform(post("/api/v1/identification/models/" + current.get("id").asLong()
                + "/drafts").header("Authorization", bearer("zizhu"))).andExpect(status().isOk()));
        assertThat(draft.get("status").asString()).isEqualTo("DRAFT");
        long draftId = draft.get("id").asLong();
        ObjectNode def = (ObjectNode) draft.get("definition");
        ArrayNode indicators = (ArrayNode) def.get("indicators");
        ObjectNode extra = indicators.addObject();
        extra.put("code", "bigFamily").put("dimension", "economy").put("weight", 0.1)
                .put("expression", "household.foo >= 6");
        // An unknown attribute is refused with the row and the column named; nothing is saved.
        mvc().perform(put("/api/v1/identification/models/" + draftId).param("lockVersion", "0")
                        .header("Authorization", bearer("zizhu")).contentType(MediaType.APPLICATION_JSON)
                        .content(JSON.writeValueAsString(def)))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.field").value("model.indicators[" + (indicators.size() - 1) + "].expression"))
                .andExpect(jsonPath("$.message").value(org.hamcrest.Matchers.startsWith(
                        "第 " + indicators.size() + " 个指标的“条件表达式”：")));
        indicators.remove(indicators.size() - 1);
        // k below the lowest level's score is refused: every student rated hardship must get a level.
        def.put("k", 0.2);
        refusedModel(draftId, def, "model.bands", "等级：最低一级的最低得分不能高于贫困临界值 k。");
        def.put("k", 0.25);
        ((ObjectNode) def.get("bands").get(2)).put("min", 0.25);
        JsonNode saved = json(mvc().perform(put("/api/v1/identification/models/" + draftId).param("lockVersion", "0")
                        .header("Authorization", bearer("zizhu")).contentType(MediaType.APPLICATION_JSON)
                        .content(JSON.writeValueAsString(def))).andExpect(status().isOk()));
        // A lower cut-off lets more students in and costs more; nothing is saved by trying.
        JsonNode whatIf = json(mvc().perform(post("/api/v1/identification/models/" + draftId + "/what-if")
                .header("Authorization", bearer("pinggu"))).andExpect(status().isOk()));
        assertThat(whatIf.get("comparison").get("entered").asLong()).isPositive();
        assertThat(whatIf.get("comparison").get("left").asLong()).isZero();
        // Per level under both models, on the same students: the draft's poor exceed the published model's by
        // exactly those who enter less those who leave (what the chart shows side by side).
        long students = whatIf.get("students").asLong();
        long[] sums = new long[4];
        whatIf.get("publishedLevels").properties().forEach(e -> {
            sums[0] += e.getValue().asLong();
            sums[2] += e.getKey().isEmpty() ? 0 : e.getValue().asLong();
        });
        whatIf.get("levels").properties().forEach(e -> {
            sums[1] += e.getValue().asLong();
            sums[3] += e.getKey().isEmpty() ? 0 : e.getValue().asLong();
        });
        assertThat(sums[0]).isEqualTo(students);
        assertThat(sums[1]).isEqualTo(students);
        assertThat(sums[3] - sums[2]).isEqualTo(whatIf.get("comparison").get("entered").asLong()
                - whatIf.get("comparison").get("left").asLong()).isPositive();
        assertThat(whatIf.get("cost").get("change").decimalValue()).isPositive();
        assertThat(whatIf.get("cost").get("draft").decimalValue())
                .isEqualByComparingTo(whatIf.get("cost").get("published").decimalValue()
                        .add(whatIf.get("cost").get("change").decimalValue()));
        mvc().perform(post("/api/v1/identification/models/" + draftId + "/publish").param("lockVersion", "1")
                .header("Authorization", bearer("pinggu"))).andExpect(status().isForbidden());
        mvc().perform(post("/api/v1/identification/models/" + draftId + "/publish").param("lockVersion", "1")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("PUBLISHED"));
        try {
            refusedWith(mvc().perform(put("/api/v1/identification/models/" + draftId).param("lockVersion", "2")
                    .header("Authorization", bearer("zizhu")).contentType(MediaType.APPLICATION_JSON)
                    .content(JSON.writeValueAsString(def))), "只有草稿可以修改或发布；请以此版本为基础新建草稿。");
            mvc().perform(get("/api/v1/identification/models/" + current.get("id").asLong())
                    .header("Authorization", bearer("zizhu"))).andExpect(jsonPath("$.status").value("RETIRED"));
            String village = jdbc().sql("SELECT MIN(code) FROM region WHERE level = 'VILLAGE' AND code LIKE '421182%'")
                    .query(String.class).single();
            assertThat(createRound("新模型试点", 2023, "AUTUMN", village).get("modelVersion").asString())
                    .isEqualTo(saved.get("version").asString());
        } finally {
            // Put the shipped definition back as the published version for the rest of the suite.
            JsonNode back = json(mvc().perform(post("/api/v1/identification/models/" + current.get("id").asLong()
                    + "/drafts").header("Authorization", bearer("zizhu"))));
            mvc().perform(post("/api/v1/identification/models/" + back.get("id").asLong() + "/publish")
                    .param("lockVersion", "0").header("Authorization", bearer("zizhu"))).andExpect(status().isOk());
        }
    }

    private void refusedModel(long id, JsonNode def, String field, String message) throws Exception {
        mvc().perform(put("/api/v1/identification/models/" + id).param("lockVersion", "0")
                        .header("Authorization", bearer("zizhu")).contentType(MediaType.APPLICATION_JSON)
                        .content(JSON.writeValueAsString(def)))
                .andExpect(status().isBadRequest()).andExpect(jsonPath("$.field").value(field))
                .andExpect(jsonPath("$.message").value(message));
    }

    private ResultActions close(String path, String version, String reason, String note) throws Exception {
        return mvc().perform(post(path + "/close").param("version", version).header("Authorization", bearer("zizhu"))
                .contentType(MediaType.APPLICATION_JSON).content("{\"reason\":\"" + reason + "\",\"note\":\"" + note + "\"}"));
    }

    /**
     * Issue 10: every roster line's link is readable (API, page data, export), masked as the role requires, and a
     * person is linked from at most one line — two lines for one child both wait for a person to decide.
     */
    @Test
    default void everyRosterLineCanBeReadWithItsDecisionAndAPersonHasAtMostOneLine() throws Exception {
        var orig = jdbc().sql("""
                SELECT r.id, r.name, r.household_no, r.village_code, r.id_index, r.id_raw_sealed, r.id_raw_masked,
                       r.gender, r.birth_date, l.person_id
                FROM roster_member r JOIN roster_link l ON l.roster_member_id = r.id
                WHERE r.is_current AND l.status = 'LINKED' AND l.method = 'EXACT_ID' AND r.village_code LIKE '421182%'
                ORDER BY r.id LIMIT 1""").query((rs, n) -> new Object[]{rs.getLong(1), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getDate(9),
                rs.getLong(10)}).single();
        long member = (Long) orig[0];
        long person = (Long) orig[9];
        String center = bearer("zizhu");
        // Read before: an exact link, with the person and the evidence.
        JsonNode before = json(mvc().perform(get("/api/v1/identification/links").param("member", String.valueOf(member))
                .header("Authorization", center)).andExpect(status().isOk())).get("items").get(0);
        assertThat(before.get("decision").asString()).isEqualTo("EXACT");
        assertThat(before.get("personId").asLong()).isEqualTo(person);
        assertThat(before.get("name").asString()).isEqualTo(orig[1]);
        assertThat(before.get("evidence").get(0).get("field").asString()).isEqualTo("id");
        // A second line for the same child (the same number and name, as a duplicated row of a roster would be).
        jdbc().sql("""
                INSERT INTO roster_member (import_id, source, household_no, village_code, category, name, id_raw_sealed,
                       id_raw_masked, id_index, gender, birth_date, is_current, imported_at)
                VALUES ('test', 'POVERTY', :h, :v, 'LIFTED', :name, :sealed, :masked, :idx, :g, :b, TRUE, :at)""")
                .param("h", orig[2]).param("v", orig[3]).param("name", orig[1]).param("sealed", orig[5])
                .param("masked", orig[6]).param("idx", orig[4]).param("g", orig[7]).param("b", orig[8])
                .param("at", Timestamp.from(Instant.now())).update();
        long duplicate = jdbc().sql("SELECT MAX(id) FROM roster_member WHERE import_id = 'test'").query(Long.class).single();
        try {
            mvc().perform(post("/api/v1/identification/linkage/run").header("Authorization", center))
                    .andExpect(status().isOk());
            JsonNode both = json(mvc().perform(get("/api/v1/identification/links").param("person", String.valueOf(person))
                    .header("Authorization", center)).andExpect(status().isOk()));
            assertThat(both.get("total").asLong()).isEqualTo(2);
            for (JsonNode l : both.get("items")) {
                assertThat(l.get("decision").asString()).isEqualTo("REVIEW");
                assertThat(l.toString()).contains("\"field\":\"conflict\"").contains("OTHER_LINE");
            }
            // The child no longer counts as linked anywhere until a person decides.
            assertThat(jdbc().sql("SELECT COUNT(*) FROM roster_link WHERE person_id = :p AND status = 'LINKED'")
                    .param("p", person).query(Long.class).single()).isZero();
            // A masked role reads the same lines with masked names; a village cadre may not read them at all.
            JsonNode masked = json(mvc().perform(get("/api/v1/identification/links").param("member", String.valueOf(member))
                    .header("Authorization", bearer("pinggu"))).andExpect(status().isOk())).get("items").get(0);
            assertThat(masked.get("name").asString()).isEqualTo(Masking.name((String) orig[1]))
                    .isNotEqualTo(orig[1]);
            assertThat(masked.get("idMasked").asString()).contains("*");
            mvc().perform(get("/api/v1/identification/links").header("Authorization", bearer("cunwei")))
                    .andExpect(status().isForbidden());
            // Filters and the export.
            JsonNode exact = json(mvc().perform(get("/api/v1/identification/links").param("decision", "EXACT")
                    .param("size", "5").header("Authorization", center)).andExpect(status().isOk()));
            assertThat(exact.get("total").asLong()).isGreaterThan(1000);
            exact.get("items").forEach(l -> assertThat(l.get("decision").asString()).isEqualTo("EXACT"));
            byte[] xlsx = mvc().perform(get("/api/v1/identification/links.xlsx").param("decision", "REVIEW")
                    .header("Authorization", center)).andExpect(status().isOk()).andReturn().getResponse()
                    .getContentAsByteArray();
            assertThat(new String(xlsx, 0, 2, StandardCharsets.ISO_8859_1)).isEqualTo("PK");
            // The page lists them too.
            String page = mvc().perform(get("/identification/linkage").param("decision", "REVIEW")
                    .cookie(login("zizhu"))).andExpect(status().isOk()).andReturn().getResponse()
                    .getContentAsString(StandardCharsets.UTF_8);
            assertThat(page).contains("id=\"links-table\"").contains("另一名单行也关联到此人");
        } finally {
            jdbc().sql("DELETE FROM roster_link WHERE roster_member_id = :d").param("d", duplicate).update();
            jdbc().sql("DELETE FROM roster_member WHERE id = :d").param("d", duplicate).update();
            mvc().perform(post("/api/v1/identification/linkage/run").header("Authorization", center))
                    .andExpect(status().isOk());
        }
        // With the duplicate gone the child's line is linked again (a person's review was never needed).
        assertThat(jdbc().sql("SELECT status FROM roster_link WHERE roster_member_id = :m").param("m", member)
                .query(String.class).single()).isEqualTo("LINKED");
    }
}
