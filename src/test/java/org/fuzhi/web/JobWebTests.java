package org.fuzhi.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import jakarta.servlet.http.Cookie;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.Tabular;
import org.fuzhi.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Long work as jobs: 202 with the job's URL, the job readable by its owner only (two counties), a second start of
 * the same work refused while the first runs, cancel that writes nothing, and the job of an instance that died
 * marked interrupted with its import. Part of the web suite: runs on H2 and PostgreSQL.
 */
interface JobWebTests extends IdentificationWebTests {

    Jobs jobs();

    PlatformTransactionManager transactions();

    private JsonNode awaitJob(String url, String user) throws Exception {
        JsonNode job = null;
        for (int i = 0; i < 600; i++) {
            job = json(mvc().perform(get(url).header("Authorization", bearer(user))).andExpect(status().isOk()));
            if (!job.get("state").asString().matches("QUEUED|RUNNING")) {
                return job;
            }
            Thread.sleep(100);
        }
        return job;
    }

    /** Runs {@code body} as a signed-in user of the demo (the Jobs API reads the current user as a request would). */
    private void as(String username, ThrowingRunnable body) throws Exception {
        var row = jdbc().sql("SELECT id, display_name, role, scope_type, scope_code FROM app_user WHERE username = :u")
                .param("u", username).query((rs, n) -> new CurrentUser(rs.getLong(1), username, rs.getString(2),
                        Role.valueOf(rs.getString(3)), new Scope(Scope.Type.valueOf(rs.getString(4)), rs.getString(5))))
                .single();
        CurrentUser.Principal principal = () -> row;
        var previous = SecurityContextHolder.getContext();
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new TestingAuthenticationToken(principal, null, "ROLE_" + row.role().name()));
        SecurityContextHolder.setContext(context);
        // A job speaks the language of whoever started it: here a Chinese user's.
        LocaleContextHolder.setLocale(Locale.SIMPLIFIED_CHINESE);
        try {
            body.run();
        } finally {
            SecurityContextHolder.setContext(previous);
            LocaleContextHolder.resetLocaleContext();
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    default void anImportAskedForAsyncAnswers202AndItsJobIsReadOnlyByItsOwner() throws Exception {
        String school = jdbc().sql("SELECT scope_code FROM app_user WHERE username = 'xuexiao'").query(String.class)
                .single();
        String number = Fixtures.id("20170304", 717);
        String csv = "学籍号,姓名,身份证号,出生日期,学校标识码,学段,年级,学籍状态\n"
                + "J" + number + ",任务乙," + number + ",2017-03-04," + school + ",小学,3,在读\n";
        var file = new MockMultipartFile("file", "job-test.csv", "text/csv", csv.getBytes(StandardCharsets.UTF_8));
        var started = mvc().perform(multipart("/api/v1/imports/students").file(file).param("dryRun", "true")
                        .header("Prefer", "respond-async").header("Authorization", bearer("xuexiao")))
                .andExpect(status().isAccepted()).andExpect(header().exists("Location"));
        JsonNode job = json(started);
        String url = job.get("url").asString();
        assertThat(started.andReturn().getResponse().getHeader("Location")).isEqualTo(url);
        assertThat(job.get("title").asString()).contains("试导入").contains("job-test.csv");

        JsonNode done = awaitJob(url, "xuexiao");
        assertThat(done.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(done.get("percent").asInt()).isEqualTo(100);
        JsonNode result = json(mvc().perform(get(done.get("apiUrl").asString())
                .header("Authorization", bearer("xuexiao"))).andExpect(status().isOk()));
        assertThat(done.get("summary").asString()).as(result.toString()).isEqualTo("通过 1 行，未通过 0 行");
        assertThat(result.get("accepted").asInt()).isEqualTo(1);

        // Another county's center, and another user of the same county, learn nothing of it.
        mvc().perform(get(url).header("Authorization", bearer("hm-zizhu"))).andExpect(status().isNotFound());
        mvc().perform(get(url).header("Authorization", bearer("zizhu"))).andExpect(status().isNotFound());
        mvc().perform(post(url + "/cancel").header("Authorization", bearer("hm-zizhu")))
                .andExpect(status().isNotFound());
        assertThat(json(mvc().perform(get("/api/v1/jobs").header("Authorization", bearer("hm-zizhu")))).toString())
                .doesNotContain(job.get("id").asString());
        assertThat(json(mvc().perform(get("/api/v1/jobs").header("Authorization", bearer("xuexiao")))).toString())
                .contains(job.get("id").asString());
    }

    @Test
    default void aSecondStartOfTheSameWorkIsRefusedWhileTheFirstRunsOnAnyCounty() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        String key = "test-same-work:" + UUID.randomUUID();
        String[] first = new String[1];
        as("zizhu", () -> first[0] = jobs().start(new Jobs.Request("test", key, "测试任务", null, null), p -> {
            release.await(30, TimeUnit.SECONDS);
            return new Jobs.Outcome(null, null, "完成", "value");
        }).id());
        // The same key from another user (even another county's) is the same work: refused, saying who and how far.
        as("hm-zizhu", () -> assertThatThrownBy(() -> jobs().start(new Jobs.Request("test", key, "测试任务", null, null),
                p -> null)).isInstanceOf(Jobs.AlreadyRunningException.class)
                .satisfies(e -> assertThat(((Jobs.AlreadyRunningException) e).running().owner()).isEqualTo("zizhu")));
        release.countDown();
        as("zizhu", () -> {
            assertThat(jobs().await(first[0], Duration.ofSeconds(30))).contains("value");
            // Once it has ended the work may start again.
            String again = jobs().start(new Jobs.Request("test", key, "测试任务", null, null), p -> null).id();
            assertThat(jobs().await(again, Duration.ofSeconds(30))).isPresent();
        });
    }

    @Test
    default void theOwnerCancelsARunningJobAndWhatItWroteIsRolledBack() throws Exception {
        String before = jdbc().sql("SELECT display_name FROM app_user WHERE username = 'zizhu'").query(String.class)
                .single();
        CountDownLatch wrote = new CountDownLatch(1);
        String[] id = new String[1];
        as("zizhu", () -> id[0] = jobs().start(new Jobs.Request("test", "test-cancel:" + UUID.randomUUID(), "可取消的任务",
                null, null), p -> new TransactionTemplate(transactions()).execute(st -> {
            jdbc().sql("UPDATE app_user SET display_name = '写了一半' WHERE username = 'zizhu'").update();
            wrote.countDown();
            p.total(1_000_000);
            for (long i = 0; i < 1_000_000; i++) {
                p.done(i);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return null;
        })).id());
        assertThat(wrote.await(30, TimeUnit.SECONDS)).isTrue();
        String url = "/api/v1/jobs/" + id[0];
        mvc().perform(post(url + "/cancel").header("Authorization", bearer("zizhu"))).andExpect(status().isOk());
        JsonNode job = awaitJob(url, "zizhu");
        assertThat(job.get("state").asString()).isEqualTo("CANCELLED");
        assertThat(job.get("message").asString()).isEqualTo("任务已按要求取消，没有写入任何数据。");
        assertThat(jdbc().sql("SELECT display_name FROM app_user WHERE username = 'zizhu'").query(String.class).single())
                .isEqualTo(before);
    }

    @Test
    default void theJobOfAnInstanceThatStoppedIsMarkedInterruptedWithItsImportAndMayStartAgain() throws Exception {
        String jobId = UUID.randomUUID().toString();
        String importId = UUID.randomUUID().toString();
        String key = "test-dead:" + jobId;
        Timestamp old = Timestamp.from(Instant.now().minusSeconds(600));
        jdbc().sql("""
                INSERT INTO job (id, kind, job_key, active_key, title, owner, scope_type, scope_code, state, instance_id,
                                 created_at, started_at, heartbeat_at)
                VALUES (:id, 'import', :k, :k, '导入学生学籍：断电.csv', 'xuexiao', 'SCHOOL', NULL, 'RUNNING', 'gone', :t, :t, :t)""")
                .param("id", jobId).param("k", key).param("t", old).update();
        jdbc().sql("""
                INSERT INTO import_job (id, kind, original_filename, stored_path, content_sha256, size_bytes, dry_run,
                                        status, accepted, rejected, created_by, created_at, scope_type, job_id)
                VALUES (:id, 'students', '断电.csv', 'nowhere', :sha, 1, FALSE, 'RUNNING', 0, 0, 'xuexiao', :t,
                        'SCHOOL', :job)""")
                .param("id", importId).param("sha", "0".repeat(64)).param("t", old).param("job", jobId).update();
        String state = null;
        for (int i = 0; i < 100 && !"FAILED".equals(state); i++) {
            Thread.sleep(100);
            state = jdbc().sql("SELECT state FROM job WHERE id = :id").param("id", jobId).query(String.class).single();
        }
        assertThat(state).isEqualTo("FAILED");
        JsonNode job = json(mvc().perform(get("/api/v1/jobs/" + jobId).header("Authorization", bearer("xuexiao"))));
        assertThat(job.get("message").asString()).isEqualTo("服务器在任务进行中停止，任务已中断，没有写入任何数据。可以重新开始。");
        assertThat(jdbc().sql("SELECT status FROM import_job WHERE id = :id").param("id", importId).query(String.class)
                .single()).isEqualTo("FAILED");
        as("xuexiao", () -> {
            String again = jobs().start(new Jobs.Request("test", key, "重新开始", null, null), p -> null).id();
            assertThat(jobs().await(again, Duration.ofSeconds(30))).isPresent();
        });
    }

    @Test
    default void aLargeExportFromThePageIsAJobWhoseFileOnlyItsOwnerDownloads() throws Exception {
        Cookie session = login("zizhu");
        String location = mvc().perform(get("/students/export").cookie(session)).andExpect(status().isFound())
                .andReturn().getResponse().getRedirectedUrl();
        assertThat(location).matches("/jobs/[0-9a-f-]+\\?follow=true");
        String id = location.substring("/jobs/".length(), location.indexOf('?'));
        JsonNode job = awaitJob("/api/v1/jobs/" + id, "zizhu");
        assertThat(job.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("title").asString()).startsWith("导出学生名册（");
        assertThat(job.get("resultUrl").asString()).isEqualTo("/jobs/" + id + "/file");
        byte[] xlsx = mvc().perform(get("/api/v1/jobs/" + id + "/file").header("Authorization", bearer("zizhu")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
        Path file = Files.createTempFile("job-export", ".xlsx");
        Files.write(file, xlsx);
        List<List<String>> rows = new ArrayList<>();
        Tabular.read(file, Tabular.Format.XLSX, (n, cells) -> rows.add(cells));
        long inScope = json(mvc().perform(get("/api/v1/students").param("size", "1")
                .header("Authorization", bearer("zizhu")))).get("total").asLong();
        assertThat(rows).hasSize((int) inScope + 1);
        assertThat(rows.get(1).get(2)).matches("\\d{4}\\*{10}[0-9X]{4}");
        // Nobody else downloads it: not the other county's center, not another user of the same county.
        mvc().perform(get("/api/v1/jobs/" + id + "/file").header("Authorization", bearer("hm-zizhu")))
                .andExpect(status().isNotFound());
        mvc().perform(get("/api/v1/jobs/" + id + "/file").header("Authorization", bearer("lingdao")))
                .andExpect(status().isNotFound());
        // An API client gets the same as a job when it asks for one.
        var asked = mvc().perform(get("/api/v1/students/export").header("Prefer", "respond-async")
                .header("Authorization", bearer("xuexiao"))).andExpect(status().isAccepted()).andReturn().getResponse();
        JsonNode apiJob = awaitJob(asked.getHeader("Location"), "xuexiao");
        assertThat(apiJob.get("state").asString()).isEqualTo("SUCCEEDED");
        mvc().perform(get(apiJob.get("apiUrl").asString()).header("Authorization", bearer("xuexiao")))
                .andExpect(status().isOk());
        // The file is kept sealed, not as a spreadsheet a copy of the disk could read.
        String stored = jdbc().sql("SELECT file_path FROM job WHERE id = :id").param("id", id).query(String.class)
                .single();
        byte[] onDisk = Files.readAllBytes(Path.of(stored));
        assertThat(new String(onDisk, 0, 2, StandardCharsets.ISO_8859_1)).isNotEqualTo("PK");
    }

    /**
     * Every large export of a list is a job from the page: a round's list and a term's aid list of Wuxue each lead to
     * the job's page and end with a file its owner downloads, holding what the page counts; the other county's
     * center cannot download it. Wuxue's 4,221 households, less than 5,000 rows, download at once, and become a job
     * when an API client asks for one.
     */
    @Test
    default void theLargeListsOfTheUiExportAsJobsAndSmallOnesAtOnce() throws Exception {
        long round = jdbc().sql("SELECT MAX(id) FROM ident_round WHERE scope_code = '421182000000'").query(Long.class)
                .single();
        long term = jdbc().sql("SELECT id FROM aid_term WHERE term_code = '2025-SPRING' AND scope_code = '421182000000'")
                .query(Long.class).single();
        long households = json(mvc().perform(get("/api/v1/households").param("size", "1")
                .header("Authorization", bearer("zizhu")))).get("total").asLong();
        long entries = json(mvc().perform(get("/api/v1/identification/rounds/" + round + "/entries").param("size", "1")
                .header("Authorization", bearer("zizhu")))).get("total").asLong();
        long entitlements = json(mvc().perform(get("/api/v1/aid/terms/" + term + "/entitlements").param("size", "1")
                .header("Authorization", bearer("zizhu")))).get("total").asLong();
        // Counts in titles read as the page writes them: 11,452.
        LongFunction<String> zh = n ->
                java.text.NumberFormat.getIntegerInstance(Locale.SIMPLIFIED_CHINESE).format(n);
        Cookie session = login("zizhu");
        Object[][] cases = {
                {"/identification/rounds/" + round + "/export", "导出识别轮次“", entries},
                {"/aid/terms/" + term + "/entitlements.xlsx",
                        "导出2025—2026 学年春季学期资助名单（" + zh.apply(entitlements) + " 项）",
                        entitlements}};
        for (Object[] c : cases) {
            assertThat((Long) c[2]).as((String) c[0]).isGreaterThan(5000);
            String location = mvc().perform(get((String) c[0]).cookie(session)).andExpect(status().isFound())
                    .andReturn().getResponse().getRedirectedUrl();
            assertThat(location).as((String) c[0]).matches("/jobs/[0-9a-f-]+\\?follow=true");
            String id = location.substring("/jobs/".length(), location.indexOf('?'));
            JsonNode job = awaitJob("/api/v1/jobs/" + id, "zizhu");
            assertThat(job.get("state").asString()).as((String) c[0]).isEqualTo("SUCCEEDED");
            assertThat(job.get("title").asString()).startsWith((String) c[1]);
            byte[] xlsx = mvc().perform(get("/api/v1/jobs/" + id + "/file").header("Authorization", bearer("zizhu")))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
            // One row per household or child; the aid list has a row per fund part, so at least one per entitlement.
            long rows = AbstractWebTests.readXlsx(xlsx).size() - 1;
            if (c[0].toString().contains("entitlements")) {
                assertThat(rows).isGreaterThanOrEqualTo((Long) c[2]);
            } else {
                assertThat(rows).as((String) c[0]).isEqualTo((Long) c[2]);
            }
            mvc().perform(get("/api/v1/jobs/" + id + "/file").header("Authorization", bearer("hm-zizhu")))
                    .andExpect(status().isNotFound());
        }
        // Less than 5,000 rows download at once.
        var small = mvc().perform(get("/households/export").cookie(session)).andExpect(status().isOk())
                .andReturn().getResponse();
        assertThat(small.getContentType()).startsWith("application/vnd.openxmlformats");
        assertThat((long) AbstractWebTests.readXlsx(small.getContentAsByteArray()).size() - 1).isEqualTo(households)
                .isLessThan(5000);
        // The API answers with the file unless asked for a job.
        var asked = mvc().perform(get("/api/v1/households/export").header("Prefer", "respond-async")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isAccepted()).andReturn().getResponse();
        JsonNode job = awaitJob(asked.getHeader("Location"), "zizhu");
        assertThat(job.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("title").asString()).isEqualTo("导出家庭名单（" + zh.apply(households) + " 户）");
        // The roster's links, an API-only export, the same way.
        var links = mvc().perform(get("/api/v1/identification/links.xlsx").header("Prefer", "respond-async")
                .header("Authorization", bearer("zizhu"))).andExpect(status().isAccepted()).andReturn().getResponse();
        JsonNode linksJob = awaitJob(links.getHeader("Location"), "zizhu");
        assertThat(linksJob.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(linksJob.get("title").asString()).startsWith("导出名单比对结果（");
        mvc().perform(get("/api/v1/jobs/" + linksJob.get("id").asString() + "/file")
                .header("Authorization", bearer("hm-zizhu"))).andExpect(status().isNotFound());
    }

    /**
     * The audit log and the school list, like every other export, are written by a job when asked for one: the file
     * is the one the same request downloads at once, the job's title counts its rows, and the other county's center
     * can neither follow the job nor download its file. The audit log counts only the reader's area in the title.
     */
    @Test
    default void theAuditLogAndSchoolListExportAsJobsToo() throws Exception {
        long created = jdbc().sql("SELECT COUNT(*) FROM audit_event WHERE action = 'ACCOUNT_CREATE'"
                + " AND scope_region LIKE '421182%'").query(Long.class).single();
        String[][] cases = {
                {"/api/v1/audit-events/export?action=ACCOUNT_CREATE", "pinggu", "导出审计日志（" + java.text.NumberFormat
                        .getIntegerInstance(Locale.SIMPLIFIED_CHINESE).format(created) + " 条）"},
                {"/api/v1/schools/export", "zizhu", "导出学校名录（"}};
        for (String[] c : cases) {
            byte[] atOnce = mvc().perform(get(c[0]).header("Authorization", bearer(c[1])))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
            var asked = mvc().perform(get(c[0]).header("Prefer", "respond-async")
                    .header("Authorization", bearer(c[1]))).andExpect(status().isAccepted()).andReturn().getResponse();
            JsonNode job = awaitJob(asked.getHeader("Location"), c[1]);
            assertThat(job.get("state").asString()).as(c[0]).isEqualTo("SUCCEEDED");
            assertThat(job.get("title").asString()).as(c[0]).startsWith(c[2]);
            byte[] fromJob = mvc().perform(get(job.get("apiUrl").asString()).header("Authorization", bearer(c[1])))
                    .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
            assertThat(AbstractWebTests.readXlsx(fromJob)).as(c[0]).isEqualTo(AbstractWebTests.readXlsx(atOnce))
                    .hasSizeGreaterThan(2);
            mvc().perform(get(asked.getHeader("Location")).header("Authorization", bearer("hm-zizhu")))
                    .andExpect(status().isNotFound());
            mvc().perform(get(job.get("apiUrl").asString()).header("Authorization", bearer("hm-zizhu")))
                    .andExpect(status().isNotFound());
        }
        // The export is itself in the log, its filter in words: the action by name, no "null" for a filter not used.
        String log = mvc().perform(get("/audit").param("action", "EXPORT").cookie(login("zizhu")))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(log).contains("<dt>动作</dt><dd>创建账号</dd>").doesNotContain("<dd>null</dd>")
                .doesNotContain("<dd>ACCOUNT_CREATE</dd>");
        // The walk over the audit log's hash chain is a job as well; its summary says the result in words.
        var verify = mvc().perform(get("/api/v1/audit-events/verify").header("Prefer", "respond-async")
                .header("Authorization", bearer("pinggu"))).andExpect(status().isAccepted()).andReturn().getResponse();
        JsonNode verified = awaitJob(verify.getHeader("Location"), "pinggu");
        assertThat(verified.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(verified.get("title").asString()).isEqualTo("校验审计日志的哈希链");
        assertThat(verified.get("summary").asString()).startsWith("审计日志完整：已校验 ").endsWith("哈希链未被篡改。");
    }
}
