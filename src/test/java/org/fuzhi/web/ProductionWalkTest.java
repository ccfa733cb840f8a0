package org.fuzhi.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import org.fuzhi.common.IdNumber;
import org.fuzhi.platform.KeyCommands;
import org.fuzhi.support.Postgres;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A production install from nothing: the {@code prod} profile on an empty PostgreSQL database, the first ADMIN from
 * the environment, a county center created by it, the county's divisions, a school and its pupils imported, and a
 * round run — every step answering as a user expects, no 500. Demo accounts and their tokens are refused.
 */
@Postgres
@ActiveProfiles("prod")
@SpringBootTest(properties = {"fuzhi.storage.dir=target/prod-test-files",
        "fuzhi.jobs.ui-wait=300s", "fuzhi.jobs.answer-within=300s", "fuzhi.admin.username=first-admin",
        "fuzhi.admin.password=Bootstrap-2026-only-once",
        "fuzhi.audit.checkpoint-file=target/audit-checkpoints/${random.uuid}.log"})
@AutoConfigureMockMvc
class ProductionWalkTest {

    static final String DATABASE = "fuzhi_prod_test";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    MockMvc mvc;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    PasswordEncoder encoder;

    @DynamicPropertySource
    static void emptyDatabase(DynamicPropertyRegistry r) throws Exception {
        String admin = "jdbc:postgresql://" + Postgres.HOST + ":" + Postgres.PORT + "/postgres";
        try (Connection c = DriverManager.getConnection(admin, Postgres.USER, Postgres.PASSWORD)) {
            c.createStatement().execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            c.createStatement().execute("CREATE DATABASE " + DATABASE);
        }
        r.add("spring.datasource.url", () -> "jdbc:postgresql://" + Postgres.HOST + ":" + Postgres.PORT + "/" + DATABASE);
        r.add("spring.datasource.username", () -> Postgres.USER);
        r.add("spring.datasource.password", () -> Postgres.PASSWORD);
        // Production never makes its own keys: the operator's key file, made beforehand with `keys generate`.
        Path keys = Path.of("target/prod-test-keys/" + UUID.randomUUID() + ".json");
        KeyCommands.generate(keys);
        r.add("fuzhi.crypto.keyset-file", keys::toString);
    }

    private JsonNode json(ResultActions r) throws Exception {
        return JSON.readTree(r.andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8));
    }

    private String token(String username, String password) throws Exception {
        return "Bearer " + json(mvc.perform(post("/api/v1/auth/token").contentType(MediaType.APPLICATION_JSON)
                .content("{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}"))
                .andExpect(status().isOk())).get("token").asString();
    }

    private String changeFirstPassword(String username, String temporary, String chosen) throws Exception {
        String first = token(username, temporary);
        mvc.perform(post("/api/v1/account/password").header("Authorization", first).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"currentPassword\":\"" + temporary + "\",\"newPassword\":\"" + chosen + "\"}"))
                .andExpect(status().isOk());
        return token(username, chosen);
    }

    private JsonNode upload(String kind, String csv, String auth) throws Exception {
        return json(mvc.perform(multipart("/api/v1/imports/" + kind).file(new MockMultipartFile("file", kind + ".csv",
                "text/csv", csv.getBytes(StandardCharsets.UTF_8))).header("Authorization", auth)).andExpect(status().isOk()));
    }

    private static String id(String birth, int seq) {
        String body = "421182" + birth + String.format("%03d", seq);
        return body + IdNumber.checkChar(body);
    }

    @Test
    void fromAnEmptyDatabaseToAFirstRound() throws Exception {
        assertThat(jdbc.sql("SELECT COUNT(*) FROM app_user").query(Long.class).single()).isEqualTo(1);

        // The first ADMIN signs in with the bootstrap password and must choose its own before anything else.
        String first = token("first-admin", "Bootstrap-2026-only-once");
        mvc.perform(get("/api/v1/accounts").header("Authorization", first)).andExpect(status().isForbidden());
        String admin = changeFirstPassword("first-admin", "Bootstrap-2026-only-once", "县教育局机房的新密码");
        mvc.perform(get("/api/v1/accounts").header("Authorization", admin)).andExpect(status().isOk());

        // It creates the county's aid center, which sets its own password.
        JsonNode issued = json(mvc.perform(post("/api/v1/accounts").header("Authorization", admin)
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"username\":\"wx-zizhu\",\"displayName\":\"武穴市学生资助管理中心\",\"role\":\"CENTER\","
                        + "\"scopeCode\":\"421182000000\"}")).andExpect(status().isOk()));
        String center = changeFirstPassword("wx-zizhu", issued.get("temporaryPassword").asString(), "资助中心二零二六年新密码");

        // The first model list on an empty production database (was a 500: a read-only transaction inserted it).
        mvc.perform(get("/api/v1/identification/models").header("Authorization", center)).andExpect(status().isOk())
                .andExpect(jsonPath("$[0].status").value("PUBLISHED"));

        // Divisions: the center creates its province and city rows once (they did not exist) and its own area.
        JsonNode regions = upload("regions", """
                code,name,keyPoorVillage
                420000000000,湖北省,否
                421100000000,黄冈市,否
                421182000000,武穴市,否
                421182101000,城关街道,否
                421182101201,新华社区,否
                421182101202,红旗村,是
                """, center);
        assertThat(regions.get("accepted").asInt()).isEqualTo(6);
        assertThat(upload("regions", "code,name,keyPoorVillage\n420000000000,改名省,否\n", center).get("rejected").asInt())
                .as("an existing division above the center's area is not renamed").isEqualTo(1);
        assertThat(upload("schools", "code,name,type,regionCode\n2142000001,城关小学,小学,421182101201\n", center)
                .get("accepted").asInt()).isEqualTo(1);
        StringBuilder students = new StringBuilder("studentNo,name,idNumber,schoolCode,stage,grade,status\n");
        for (int i = 1; i <= 3; i++) {
            String n = id("20170304", i * 2);
            students.append("G").append(n).append(",测试").append("甲乙丙".charAt(i - 1)).append("明,").append(n)
                    .append(",2142000001,小学,3,在读\n");
        }
        assertThat(upload("students", students.toString(), center).get("accepted").asInt()).isEqualTo(3);

        // A round over the county: no roster yet, so the model grades the pupils; nothing answers 500.
        JsonNode round = json(mvc.perform(post("/api/v1/identification/rounds").header("Authorization", center)
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\":\"首轮识别\",\"schoolYear\":2026,\"term\":\"AUTUMN\",\"scopeCode\":\"421182000000\"}"))
                .andExpect(status().isOk()));
        mvc.perform(get("/api/v1/identification/rounds/" + round.get("id").asLong()).header("Authorization", center))
                .andExpect(status().isOk());
        mvc.perform(get("/api/v1/stats/overview").header("Authorization", center)).andExpect(status().isOk());

        // Demo accounts never work here, nor a token one of them got before the switch to prod.
        jdbc.sql("""
                INSERT INTO app_user (username, password_hash, display_name, role, scope_type, scope_code, demo, enabled)
                VALUES ('zizhu', :h, '演示', 'CENTER', 'REGION', '421182000000', TRUE, TRUE)""")
                .param("h", encoder.encode("Fuzhi@2026")).update();
        mvc.perform(post("/api/v1/auth/token").contentType(MediaType.APPLICATION_JSON)
                .content("{\"username\":\"zizhu\",\"password\":\"Fuzhi@2026\"}")).andExpect(status().isUnauthorized());
        String old = "demo-token-issued-before-prod";
        long demoId = jdbc.sql("SELECT id FROM app_user WHERE username = 'zizhu'").query(Long.class).single();
        jdbc.sql("INSERT INTO api_token (token_hash, user_id, issued_at, expires_at) VALUES (:h, :u, :i, :e)")
                .param("h", sha256(old)).param("u", demoId).param("i", Timestamp.from(Instant.now()))
                .param("e", Timestamp.from(Instant.now().plusSeconds(3600))).update();
        mvc.perform(get("/api/v1/students").header("Authorization", "Bearer " + old)).andExpect(status().isUnauthorized());

        // The API description is off in production.
        assertThat(mvc.perform(get("/v3/api-docs")).andReturn().getResponse().getStatus()).isNotEqualTo(200);
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
