package org.fuzhi.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.fuzhi.support.Fixtures.PASSWORD;
import static org.fuzhi.support.Fixtures.badCheckDigit;
import static org.fuzhi.support.Fixtures.id;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.fuzhi.common.Masking;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.Tabular;
import org.fuzhi.support.Chromium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The main flows in a real browser, with screenshots under target/screenshots for a person to look at.
 */
@Chromium
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:fuzhi-browser;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
                + "DEFAULT_NULL_ORDERING=HIGH",
        "fuzhi.storage.dir=target/test-files-browser",
        // Every import and round of these flows goes through its job's progress page, as a large one would.
        "fuzhi.jobs.ui-wait=0s",
        "fuzhi.audit.checkpoint-file=target/audit-checkpoints/${random.uuid}.log"})
class BrowserFlowsTest {

    static final Path SHOTS = Path.of("target/screenshots");
    static Playwright playwright;
    static Browser browser;

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    FieldCrypto crypto;

    BrowserContext context;
    Page page;

    @BeforeAll
    static void startBrowser() throws Exception {
        Files.createDirectories(SHOTS);
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setHeadless(true)
                .setExecutablePath(Chromium.EXECUTABLE)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--lang=zh-CN")));
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    @BeforeEach
    void newContext() {
        context = browser.newContext(new Browser.NewContextOptions().setLocale("zh-CN")
                .setViewportSize(1400, 900).setAcceptDownloads(true));
        page = context.newPage();
    }

    @AfterEach
    void closeContext() {
        context.close();
    }

    String url(String path) {
        return "http://localhost:" + port + path;
    }

    void login(String username) {
        page.navigate(url("/login"));
        page.fill("#username", username);
        page.fill("#password", PASSWORD);
        page.click("button[type=submit]");
        page.waitForURL(url("/"));
    }

    void shot(String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")).setFullPage(true));
    }

    /** What fits the window: for long pages, the part a person sees first. */
    void windowShot(String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")));
    }

    @Test
    void theAidCenterLogsInAndReadsTheCountyFigures() {
        page.navigate(url("/login"));
        shot("01-login");
        login("zizhu");
        assertThat(page.locator("#fig-registered-poor")).hasText("6680");
        assertThat(page.locator("#fig-key-villages")).hasText("46");
        assertThat(page.locator("#fig-key-schools")).hasText("26");
        assertThat(page.locator("#fig-key-teachers")).hasText("222");
        assertThat(page.locator("#stage-table")).containsText("幼儿园");
        assertThat(page.locator("#stage-table")).containsText("1238");
        // The charts rendered: ECharts draws into a canvas.
        assertThat(page.locator("#chart-stage canvas")).hasCount(1);
        shot("02-dashboard");
    }

    @Test
    void aWrongPasswordGetsAClearMessage() {
        page.navigate(url("/login"));
        page.fill("#username", "zizhu");
        page.fill("#password", "wrong-password");
        page.click("button[type=submit]");
        assertThat(page.locator(".alert-danger")).hasText("用户名或密码错误。");
        shot("03-login-failed");
    }

    @Test
    void aClerkSearchesAStudentAndSeesTheIdMasked() {
        // A Wuxue pupil (the last rows loaded are Huangmei's, which zizhu does not see).
        var student = jdbc.sql("SELECT p.name, e.id FROM enrolment e JOIN person p ON p.id = e.person_id "
                + "JOIN school s ON s.code = e.school_code WHERE s.region_code LIKE '421182%' "
                + "ORDER BY e.id DESC LIMIT 1").query((rs, n) -> new Object[]{rs.getString(1), rs.getLong(2)}).single();
        login("zizhu");
        page.click("text=学生名册");
        // A school by name, 50 rows a page, straight to page 3, sorted by name — then back to the search.
        page.selectOption("#school", new com.microsoft.playwright.options.SelectOption().setLabel("城关中心小学"));
        page.click("button:has-text('查询')");
        page.selectOption("#pager-size", "50");
        assertThat(page.locator("#students-table tbody tr")).hasCount(50);
        page.fill("#pager-number", "3");
        page.click(".pager-jump button[type=submit]");
        assertThat(page.locator(".pager")).containsText("第 3 /");
        page.click("#students-table thead a:has-text('姓名')");
        assertThat(page.locator("#students-table thead")).containsText("姓名 ▲");
        assertThat(page.locator("#students-table tbody tr")).hasCount(50);
        page.setViewportSize(390, 844);
        assertThat(((Number) page.evaluate("document.documentElement.scrollWidth")).intValue()).isLessThanOrEqualTo(390);
        windowShot("04-student-list-phone");
        page.setViewportSize(1400, 900);
        page.selectOption("#school", "");
        page.fill("#q", (String) student[0]);
        page.click("button:has-text('查询')");
        assertThat(page.locator("#students-table")).containsText((String) student[0]);
        shot("04-student-search");
        page.click("#students-table a:has-text('" + student[0] + "')");
        assertThat(page.locator("#id-number")).hasText(Pattern.compile("^\\d{4}\\*{10}[0-9X]{4}$"));
        page.click("button:has-text('查看完整身份证号')");
        assertThat(page.locator("#id-number")).hasText(Pattern.compile("^\\d{17}[0-9X]$"));
        shot("05-student-unmasked");
    }

    /**
     * A large file runs as a job: the clerk is taken to its progress page, the bar moves as rows are checked, a
     * second start of the same file is refused while it runs, and the result page follows when it is done.
     */
    @Test
    void aLargeImportRunsAsAJobWithAMovingBarAndCannotBeStartedTwice() throws Exception {
        String school = jdbc.sql("SELECT scope_code FROM app_user WHERE username = 'xuexiao'").query(String.class).single();
        StringBuilder csv = new StringBuilder("学籍号,姓名,身份证号,出生日期,学校标识码,学段,年级,学籍状态\n");
        LocalDate birth = LocalDate.of(2017, 1, 1);
        int rows = 60_000;
        for (int i = 0; i < rows; i++) {
            LocalDate b = birth.plusDays(i / 900);
            String number = id(b.format(DateTimeFormatter.BASIC_ISO_DATE), 100 + i % 900);
            csv.append("J").append(number).append(",任务甲").append(",").append(number).append(",").append(b)
                    .append(",").append(school).append(",小学,3,在读\n");
        }
        Path file = Files.createTempFile("browser-job-import", ".csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        login("xuexiao");
        page.navigate(url("/imports"));
        page.selectOption("#kind", "students");
        page.setInputFiles("#file", file);
        page.check("#dryRun");
        page.click("#import-submit");
        page.waitForURL(Pattern.compile(".*/jobs/[0-9a-f-]+.*"));
        assertThat(page.locator("#job-state")).hasText(Pattern.compile("排队中|进行中"));
        assertThat(page.locator("h1")).containsText("试导入");

        // The same file again, from a second tab, while the first still runs: refused, with who and how far.
        Page second = context.newPage();
        second.navigate(url("/imports"));
        second.selectOption("#kind", "students");
        second.setInputFiles("#file", file);
        second.check("#dryRun");
        second.click("#import-submit");
        assertThat(second.locator("body")).containsText("正在进行中");
        second.close();

        // The bar moves: the percentages seen while it runs are not all the same.
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < 120 && page.url().contains("/jobs/"); i++) {
            try {
                String now = page.locator("#job-progress").getAttribute("style",
                        new com.microsoft.playwright.Locator.GetAttributeOptions().setTimeout(500));
                if (now != null) {
                    seen.add(now);
                }
                if (i == 2) {
                    shot("25-job-progress");
                    page.setViewportSize(390, 844);
                    assertThat(((Number) page.evaluate("document.documentElement.scrollWidth")).intValue())
                            .isLessThanOrEqualTo(390);
                    windowShot("25-job-progress-phone");
                    page.setViewportSize(1400, 900);
                }
            } catch (com.microsoft.playwright.PlaywrightException navigatedAway) {
                break;
            }
            page.waitForTimeout(250);
        }
        assertThat(seen).as("widths of the bar seen while the import ran").hasSizeGreaterThan(1);
        page.waitForURL(Pattern.compile(".*/imports/[0-9a-f-]+$"), new Page.WaitForURLOptions().setTimeout(120_000));
        assertThat(page.locator("#import-result h2")).containsText("试导入");
        assertThat(page.locator("#accepted-count")).hasText("通过 60,000 行");
        page.navigate(url("/jobs"));
        assertThat(page.locator("#job-list")).containsText("试导入");
        assertThat(page.locator("#job-list")).containsText("已完成");
        shot("26-my-jobs");
    }

    /**
     * The model in plain words: every rule is read back in a sentence; the aid center changes the income threshold
     * through the rule's form (an attribute by its name, a comparison, a number) and reads the new rule back; the
     * what-if says which draft it ran on. On a phone the indicator table scrolls inside its card.
     */
    @Test
    void theCenterChangesARuleThroughItsFormAndReadsItBackInWords() {
        login("zizhu");
        page.click(".sidebar >> text=评估模型");
        page.locator("table a").first().click();
        page.click("button:has-text('以此为基础新建草稿')");
        assertThat(page.locator("#model-status")).hasText("草稿");
        assertThat(page.locator("#indicator-table")).containsText("规则：家庭人均年收入已填写，且家庭人均年收入低于 6000 元");
        assertThat(page.locator("#indicator-table")).containsText("规则：住房不安全");
        // The first indicator's form shows its rule: income, below, 6000.
        var first = page.locator("#indicator-table tbody tr").first();
        assertThat(first.locator("select[name=ruleAttr]")).hasValue("household.incomePerHead");
        assertThat(first.locator("select[name=ruleOp]")).hasValue("lt");
        first.locator("input[name=ruleValue]").fill("5000");
        page.click("#model-save");
        assertThat(page.locator("#model-done")).hasText("草稿已保存。");
        assertThat(page.locator("#indicator-table tbody tr").first()).containsText("规则：家庭人均年收入已填写，且家庭人均年收入低于 5000 元");
        assertThat(page.locator("#indicator-table tbody tr").first().locator("input[name=expression]"))
                .hasValue("household.incomePerHead != null and household.incomePerHead < 5000");
        shot("50-model-rule-form");
        page.click("#model-what-if");
        assertThat(page.locator("#what-if h2")).containsText("草稿");
        // A lower threshold takes children off the list: who they are is listed, each linked to their page.
        assertThat(page.locator("#wi-list-left")).containsText("不再认定为困难的学生：共");
        // The difference from a round is said: roster children stay 一般困难 there by policy.
        assertThat(page.locator("#wi-basis")).containsText("扶贫名单内的学生按政策至少为一般困难");
        org.assertj.core.api.Assertions.assertThat(page.locator(".roster-floor").count()).isPositive();
        org.assertj.core.api.Assertions.assertThat(page.locator("#what-if li a").count()).isPositive();
        // A chart and a table of each level under the published model and the draft, side by side.
        assertThat(page.locator("#chart-what-if canvas")).isVisible();
        assertThat(page.locator("#what-if-levels thead")).containsText("现行");
        assertThat(page.locator("#what-if-levels tbody tr").last()).containsText("不认定为困难");
        shot("52-model-what-if-lists");
        page.setViewportSize(390, 844);
        page.reload();
        org.assertj.core.api.Assertions.assertThat(((Number) page.evaluate(
                "document.documentElement.scrollWidth")).intValue()).isLessThanOrEqualTo(390);
        windowShot("51-model-rule-form-phone");
        page.setViewportSize(1400, 900);
    }

    @Test
    void anImportWithErrorsReportsEachRowAndTheReportDownloads() throws Exception {
        String school = jdbc.sql("SELECT scope_code FROM app_user WHERE username = 'xuexiao'").query(String.class).single();
        String good = id("20170102", 13);
        String bad = badCheckDigit(id("20170203", 23));
        String wrongBirth = id("20170304", 33);
        String csv = "学籍号,姓名,身份证号,出生日期,学校标识码,学段,年级,学籍状态\n"
                + "G" + good + ",浏览器甲," + good + ",2017-01-02," + school + ",小学,3,在读\n"
                + "G" + bad + ",浏览器乙," + bad + ",2017-02-03," + school + ",小学,3,在读\n"
                + "G" + wrongBirth + ",浏览器丙," + wrongBirth + ",2017-05-05," + school + ",小学,3,在读\n";
        Path file = Files.createTempFile("browser-import", ".csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        login("xuexiao");
        page.click("text=数据导入");
        page.selectOption("#kind", "students");
        page.setInputFiles("#file", file);
        assertThat(page.locator("#file-name")).hasText(file.getFileName().toString());
        // A dry run first; then its rows go in with one click, without choosing the file again.
        page.check("#dryRun");
        page.click("#import-submit");
        assertThat(page.locator("#import-result h2")).containsText("试导入");
        assertThat(page.locator("#rejected-count")).hasText("未通过 2 行");
        page.setViewportSize(390, 844);
        assertThat(((Number) page.evaluate("document.documentElement.scrollWidth")).intValue()).isLessThanOrEqualTo(390);
        windowShot("06-import-dry-run-phone");
        page.setViewportSize(1400, 900);
        page.click("#import-commit");
        assertThat(page.locator("#import-result h2")).hasText("导入结果");
        assertThat(page.locator("#accepted-count")).hasText("通过 1 行");
        assertThat(page.locator("#rejected-count")).hasText("未通过 2 行");
        assertThat(page.locator("#import-commit")).hasCount(0);
        assertThat(page.locator("#import-errors")).containsText("身份证号校验位错误");
        assertThat(page.locator("#import-errors")).containsText("出生日期与身份证号不符");
        shot("06-import-errors");
        Download download = page.waitForDownload(() -> page.click("#error-report"));
        Path report = SHOTS.resolve("import-errors.xlsx");
        download.saveAs(report);
        List<List<String>> rows = new ArrayList<>();
        Tabular.read(report, Tabular.Format.XLSX, (n, cells) -> rows.add(cells));
        assertThat(rows.get(0).get(0)).isEqualTo("行号");
        assertThat(rows.get(0).get(rows.get(0).size() - 1)).isEqualTo("问题说明");
        assertThat(rows.get(1)).contains("浏览器乙");
        assertThat(rows.subList(1, rows.size()).stream().map(r -> r.get(0)).toList()).containsExactly("3", "4");
        assertThat(download.suggestedFilename()).endsWith(".xlsx");
    }

    @Test
    void aSchoolClerkIsRefusedAnotherSchoolsStudent() {
        String school = jdbc.sql("SELECT scope_code FROM app_user WHERE username = 'xuexiao'").query(String.class).single();
        long other = jdbc.sql("SELECT MIN(id) FROM enrolment WHERE school_code <> :s").param("s", school)
                .query(Long.class).single();
        login("xuexiao");
        page.navigate(url("/students/" + other));
        assertThat(page.locator("#error-message")).containsText("无权访问");
        shot("07-scope-denied");
    }

    @Test
    void theAidCenterResolvesAReviewQueuePair() {
        // A child already on the roster, listed again in their family with a wrong ID and another township's village.
        var person = jdbc.sql("""
                SELECT p.name, p.birth_date, p.gender, h.region_code, h.household_no FROM person p
                JOIN enrolment e ON e.person_id = p.id JOIN household h ON h.id = p.household_id
                WHERE p.id IN (SELECT person_id FROM person_poverty_status) AND h.region_code LIKE '421182%'
                ORDER BY p.id DESC LIMIT 1""")
                .query((rs, n) -> new Object[]{rs.getString(1), rs.getDate(2), rs.getString(3), rs.getString(4),
                        rs.getString(5)})
                .single();
        String village = ((String) person[3]).startsWith("421182112") ? "421182101225" : "421182112225";
        String otherId = id(person[1].toString().replace("-", ""), 995);
        jdbc.sql("""
                INSERT INTO roster_member (import_id, source, household_no, village_code, category, name, id_raw_sealed,
                       id_raw_masked, id_index, gender, birth_date, is_current, imported_at)
                VALUES ('browser', 'POVERTY', :household, :village, 'MARGINAL', :name, :raw, :masked, :id, :g, :b, TRUE,
                        CURRENT_TIMESTAMP)""")
                .param("household", person[4]).param("village", village).param("name", person[0])
                .param("raw", crypto.seal(FieldCrypto.Kind.RAW_ID, otherId))
                .param("masked", Masking.idNumber(otherId)).param("id", crypto.index(otherId))
                .param("g", person[2])
                .param("b", person[1]).update();
        login("zizhu");
        page.click("text=名单比对");
        // The run is a job: its progress page leads back to the linkage page when it is done.
        page.click("#run-linkage");
        assertThat(page.locator("#review-table")).containsText((String) person[0],
                new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(120_000));
        assertThat(page.locator("#review-table")).containsText("完全一致");
        shot("09-review-queue");
        page.locator("#review-table tr", new Page.LocatorOptions().setHasText((String) person[0]))
                .locator("button.btn-success").click();
        assertThat(page.locator(".alert-success")).hasText("已确认为同一人。");
        assertThat(page.locator("#review-table")).not().containsText((String) person[0]);
        shot("10-review-decided");
    }

    /** Signs in as another account in a fresh browser context, as a second person at another desk would. */
    void as(String username) {
        context.close();
        newContext();
        login(username);
    }

    void completeTask(long round, String step) {
        page.navigate(url("/identification/rounds/" + round));
        page.locator("tr[data-step=" + step + "] form.task-complete button").first().click();
        assertThat(page.locator("#round-done")).hasText("已通过。");
    }

    @Test
    void aRoundGoesThroughEveryStepToAMaskedPublicNoticeAndFinal() {
        String village = jdbc.sql("SELECT scope_code FROM app_user WHERE username = 'cunwei'").query(String.class).single();
        login("zizhu");
        page.click("text=识别轮次");
        page.fill("#round-name", "城东片区补充识别");
        page.fill("#round-year", "2025");
        // The area is picked by name: the village under its township.
        page.selectOption("#round-scope", village);
        // The round is made by a job: the browser passes through its progress page on the way to the round.
        List<String> requested = new CopyOnWriteArrayList<>();
        page.onRequest(r -> requested.add(r.url()));
        page.click("#round-create");
        page.waitForURL(Pattern.compile(".*/identification/rounds/\\d+.*"));
        org.assertj.core.api.Assertions.assertThat(requested).anyMatch(u -> u.contains("/jobs/"));
        assertThat(page.locator("#round-stage")).hasText("核实中");
        long round = Long.parseLong(page.url().replaceAll(".*/rounds/(\\d+).*", "$1"));
        shot("11-round-created");

        // The village cadre, on a phone, goes through the village's checklist: one child confirmed, one flagged
        // with the reason, a missing child reported, the rest confirmed at once, then the survey submitted.
        as("cunwei");
        page.setViewportSize(390, 844);
        // The dashboard leads a village straight to its checklist.
        page.navigate(url("/"));
        assertThat(page.locator("#survey-open").first()).containsText("核对本村名单（已核对 ");
        page.navigate(url("/identification/rounds/" + round));
        page.click("tr[data-step=SURVEY] a.survey-start");
        assertThat(page.locator("h1")).hasText("村级普查核对清单");
        long total = jdbc.sql("SELECT COUNT(*) FROM ident_entry WHERE round_id = :r AND village_code = :v")
                .param("r", round).param("v", village).query(Long.class).single();
        org.assertj.core.api.Assertions.assertThat(total).isGreaterThan(2);
        assertThat(page.locator("li.survey-child")).hasCount((int) total);
        assertThat(page.locator("#survey-submit button[type=submit]")).isDisabled();
        assertThat(page.locator("#survey-remaining")).hasText("还有 " + total + " 名未核对");
        page.locator("li.survey-child").nth(0).locator("button.child-confirm").click();
        assertThat(page.locator("li.survey-child").nth(0).locator(".child-mark")).hasText("属实");
        var second = page.locator("li.survey-child").nth(1);
        second.locator("details.child-flag summary").click();
        second.locator("select[name=mark]").selectOption("MOVED");
        // A flag without a reason is refused, on the child, and keeps the list as it was.
        second.locator("button.child-flag-save").click();
        second = page.locator("li.survey-child").nth(1);
        assertThat(second.locator(".alert-danger")).hasText("标记有问题时必须写明情况。");
        second.locator("select[name=mark]").selectOption("MOVED");
        second.locator("textarea[name=note]").fill("已随父母迁往武汉，在当地小学就读");
        second.locator("button.child-flag-save").click();
        second = page.locator("li.survey-child").nth(1);
        assertThat(second.locator(".child-mark")).hasText("已迁出本村");
        assertThat(second).containsText("已随父母迁往武汉");
        assertThat(page.locator("#survey-counts")).hasText("已核对 2 / " + total + " 名，其中 1 名有问题");
        page.fill("#missing-name", "测试儿童甲");
        page.fill("#missing-note", "八岁，父母在外务工，跟奶奶住在第三组，未见在名单上");
        page.click("#missing-form button[type=submit]");
        assertThat(page.locator("#missing-list")).containsText("测试儿童甲");
        assertThat(((Number) page.evaluate("document.documentElement.scrollWidth")).intValue()).isLessThanOrEqualTo(390);
        windowShot("11b-survey-checklist-phone");
        page.click("#confirm-rest button");
        assertThat(page.locator("#survey-counts")).hasText("已核对 " + total + " / " + total + " 名，其中 1 名有问题");
        page.click("#survey-submit button[type=submit]");
        assertThat(page.locator("#round-done")).hasText("已通过。");
        page.setViewportSize(1400, 900);
        page.navigate(url("/identification/surveys/" + jdbc.sql(
                "SELECT id FROM ident_task WHERE round_id = :r AND step = 'SURVEY'").param("r", round)
                .query(Long.class).single()));
        shot("11c-survey-checklist");
        as("xiangzhen");
        page.navigate(url("/identification/rounds/" + round));
        // The township sees what the village flagged before it verifies.
        assertThat(page.locator("tr[data-step=SURVEY] .survey-checked")).containsText("1 名有问题");
        page.fill("tr[data-step=SURVEY] form.task-return input[name=reason]", "第二组有一户未入户核实");
        page.click("tr[data-step=SURVEY] form.task-return button");
        assertThat(page.locator("#round-done")).hasText("已退回，并通知该单位。");
        shot("12-round-returned");
        as("cunwei");
        page.navigate(url("/identification/rounds/" + round));
        assertThat(page.locator("tr[data-step=SURVEY]")).containsText("退回原因：第二组有一户未入户核实");
        completeTask(round, "SURVEY");
        as("xiangzhen");
        completeTask(round, "TOWNSHIP");
        List<String> schools = jdbc.sql("SELECT unit_code FROM ident_task WHERE round_id = :r AND step = 'SCHOOL'")
                .param("r", round).query(String.class).list();
        for (String school : schools) {
            as("xiao-" + school);
            completeTask(round, "SCHOOL");
        }
        as("zizhu");
        completeTask(round, "CENTER");
        assertThat(page.locator("#round-stage")).hasText("公示中");
        shot("13-round-notice");

        // The public notice, as an anonymous visitor: masked names, school and grade only.
        context.close();
        newContext();
        page.navigate(url("/public/notices"));
        page.click("text=城东片区补充识别");
        assertThat(page.locator("#notice-table tbody tr").first()).containsText("*");
        String text = page.locator("#notice-table").innerText();
        assertThat(text).doesNotContainPattern("\\d{17}[0-9X]").doesNotContain("困难").doesNotContain("脱贫");
        shot("14-public-notice");
        // It reads as a 公示 with its issuer, period and objection line; a village prints its own list on A4.
        assertThat(page.locator("#notice-title")).containsText("家庭经济困难学生认定结果的公示");
        assertThat(page.locator("#notice-period")).containsText("个工作日");
        assertThat(page.locator("#notice-objection")).containsText("武穴市学生资助管理中心");
        assertThat(page.locator("#notice-signature")).containsText("武穴市学生资助管理中心");
        assertThat(page.locator("#notice-village")).hasCount(1);
        page.selectOption("#notice-village", page.locator("#notice-village option").nth(1).getAttribute("value"));
        page.click("#notice-village-show");
        assertThat(page.locator("#notice-village-name")).isVisible();
        page.setViewportSize(390, 844);
        assertThat(((Number) page.evaluate("document.documentElement.scrollWidth")).intValue()).isLessThanOrEqualTo(390);
        windowShot("14-public-notice-phone");
        page.setViewportSize(1400, 900);
        page.emulateMedia(new Page.EmulateMediaOptions().setMedia(com.microsoft.playwright.options.Media.PRINT));
        assertThat(page.locator("#notice-print")).isHidden();
        assertThat(page.locator("#notice-table")).isVisible();
        shot("14-public-notice-print");
        page.emulateMedia(new Page.EmulateMediaOptions().setMedia(com.microsoft.playwright.options.Media.SCREEN));

        // Five working days later the notice has been taken down and the center makes the round final.
        jdbc.sql("UPDATE ident_round SET notice_start = notice_start - 9, notice_end = notice_start - 1 WHERE id = :r")
                .param("r", round).update();
        page.navigate(url("/public/notices/" + round));
        assertThat(page.locator("#notice-down")).containsText("已自动撤下");
        login("zizhu");
        page.navigate(url("/identification/rounds/" + round));
        page.click("#round-finish");
        assertThat(page.locator("#round-stage")).hasText("已定稿");
        assertThat(page.locator("#round-rerun")).hasCount(0);
        shot("15-round-final");
    }

    /**
     * The aid center enters next year's backstop in the funds form, opens a term on a final round, generates the aid
     * list and allocates it from the funds; the term page reads the same figures on a desktop and on a phone, with no
     * sideways page scroll.
     */
    @Test
    void theAidCenterOpensATermGeneratesTheListAndPaysItFromTheFundsInOrder() {
        login("zizhu");
        page.click("text=识别轮次");
        page.fill("#round-name", "2027—2028学年秋季学期精准识别");
        page.fill("#round-year", "2027");
        page.selectOption("#round-term", "AUTUMN");
        page.click("#round-create");
        page.waitForURL(Pattern.compile(".*/identification/rounds/\\d+.*"), new Page.WaitForURLOptions().setTimeout(60_000));
        long round = Long.parseLong(page.url().replaceAll(".*/rounds/(\\d+).*", "$1"));
        // The verification workflow has its own test: here the round is the basis of the term.
        jdbc.sql("UPDATE ident_round SET stage = 'FINAL' WHERE id = :r").param("r", round).update();
        page.click(".sidebar >> text=资助发放");
        assertThat(page.locator("#fund-table")).containsText("2026年武穴市本级兜底资金");
        assertThat(page.locator("#ledger-state")).hasText("资金台账平衡");
        page.fill("#fund-name", "2027年武穴市本级兜底资金");
        page.fill("#fund-code", "WX-2027-BACKSTOP");
        page.selectOption("#fund-kind", "COUNTY_BACKSTOP");
        page.fill("#fund-year", "2027");
        page.fill("#fund-budget", "5000000");
        page.click("#fund-create");
        assertThat(page.locator("#fund-table")).containsText("2027年武穴市本级兜底资金");
        page.fill("#term-year", "2027");
        page.selectOption("#term-term", "AUTUMN");
        page.selectOption("#term-round", String.valueOf(round));
        page.click("#term-open");
        assertThat(page.locator("#term-status")).hasText("已开启");
        // Generation runs as a job: its progress page leads back to the term when it is done.
        page.click("#term-generate");
        assertThat(page.locator("#term-status")).hasText("已生成名单",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions().setTimeout(120_000));
        long entitled = Long.parseLong(page.locator("#figure-entitled").innerText().strip());
        org.assertj.core.api.Assertions.assertThat(entitled).isGreaterThan(1000);
        assertThat(page.locator("#entitlement-table")).containsText("未分配");
        // Autumn 2027 draws on the funds of 2027: the backstop just entered.
        // Allocation too; its report stays on the job's page, with the way back to the term.
        page.click("#term-allocate");
        assertThat(page.locator("#job-summary")).containsText("本次分配",
                new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(120_000));
        shot("30-aid-allocation-job");
        page.click("#job-back");
        assertThat(page.locator("#term-status")).hasText("已分配资金");
        assertThat(page.locator("#entitlement-table")).containsText("2027年武穴市本级兜底资金");
        assertThat(page.locator("#fund-summary")).containsText("2027年武穴市本级兜底资金");
        shot("30-aid-term-allocated");
        String termUrl = page.url();
        // The dashboard now shows the year's funds with the backstop's use, and the term's coverage.
        page.navigate(url("/"));
        assertThat(page.locator("#fig-backstop")).containsText("/ 5,000,000 元");
        assertThat(page.locator("#fig-coverage")).containsText("%");
        assertThat(page.locator("#chart-funds canvas")).hasCount(1);
        shot("33-dashboard-aid");
        page.navigate(termUrl);
        page.setViewportSize(390, 844);
        page.reload();
        org.assertj.core.api.Assertions.assertThat(((Number) page.evaluate(
                "document.documentElement.scrollWidth")).intValue()).isLessThanOrEqualTo(390);
        assertThat(page.locator("#figure-entitled")).hasText(String.valueOf(entitled));
        windowShot("31-aid-term-phone");
        page.navigate(url("/aid"));
        assertThat(page.locator("#ledger-state")).hasText("资金台账平衡");
        org.assertj.core.api.Assertions.assertThat(((Number) page.evaluate(
                "document.documentElement.scrollWidth")).intValue()).isLessThanOrEqualTo(390);
        windowShot("32-aid-funds-phone");
    }

    /**
     * The demo's spring term, paid everywhere but at 城关中心小学: its clerk prepares the batch, its reviewer checks it,
     * the center approves it and downloads the bank file; the bank's return (one line failed) is imported, the failed
     * line is re-issued and paid, and the dashboard's paid figure and failed count move with each step.
     */
    @Test
    void aBatchIsPreparedApprovedPaidByTheBankAndItsFailedLineReissued() throws Exception {
        long term = jdbc.sql("SELECT id FROM aid_term WHERE term_code = '2025-SPRING' AND scope_code = '421182000000'")
                .query(Long.class).single();
        String termUrl = url("/aid/terms/" + term);
        login("zizhu");
        page.navigate(url("/?aidTerm=" + term));
        String paidBefore = page.locator("#fig-aid-paid").innerText();
        assertThat(page.locator("#chart-term-funds canvas")).hasCount(1);
        assertThat(page.locator("#aid-township")).containsText("镇");
        shot("35-dashboard-spring-term");

        as("xuexiao");
        page.navigate(termUrl);
        page.click("#batch-prepare");
        assertThat(page.locator("#batch-table tr", new Page.LocatorOptions().setHasText("城关中心小学"))
                .locator(".batch-status")).hasText("待审核");
        as("xuexiao-shenhe");
        page.navigate(termUrl);
        page.click("#batch-table form.batch-check button");
        assertThat(page.locator("#batch-table tr", new Page.LocatorOptions().setHasText("城关中心小学"))
                .locator(".batch-status")).hasText("待批准");
        as("zizhu");
        page.navigate(termUrl);
        page.click("#batch-table form.batch-approve button");
        var row = page.locator("#batch-table tr", new Page.LocatorOptions().setHasText("经办：县学校经办（演示）"));
        assertThat(row.locator(".batch-status")).hasText("已批准");
        assertThat(row).containsText("审核：县学校审核（演示）");
        shot("34-aid-batch-approved");

        // One bank file per bank: take the first bank's, answer every line paid but the first, which failed.
        Download file = page.waitForDownload(() -> row.locator("a.batch-bank-file").first().click());
        List<List<String>> sent = Tabular.csvRows(Files.readString(file.path(), StandardCharsets.UTF_8)).stream()
                .skip(1).map(Tabular.Row::cells).toList();
        org.assertj.core.api.Assertions.assertThat(sent).isNotEmpty();
        StringBuilder answer = new StringBuilder("序号,账号,金额,结果,原因\n");
        for (int i = 0; i < sent.size(); i++) {
            List<String> l = sent.get(i);
            answer.append(l.get(0)).append(',').append(l.get(2)).append(',').append(l.get(3)).append(',')
                    .append(i == 0 ? "失败,户名与账号不符" : "成功,").append('\n');
        }
        Path back = SHOTS.resolve("bank-return.csv");
        Files.writeString(back, answer.toString(), StandardCharsets.UTF_8);
        row.locator("form.batch-return input[type=file]").setInputFiles(back);
        row.locator("form.batch-return button").click();
        assertThat(page.locator("#return-done")).containsText("失败 1 笔");
        assertThat(page.locator("#figure-failed")).hasText("1");
        page.navigate(url("/?aidTerm=" + term));
        String paidAfterReturn = page.locator("#fig-aid-paid").innerText();
        org.assertj.core.api.Assertions.assertThat(yuan(paidAfterReturn)).isGreaterThan(yuan(paidBefore));
        assertThat(page.locator("#fig-aid-failed")).hasText("1");

        // The failed line is re-issued: the next file of that bank holds just it, and the bank pays it.
        page.navigate(termUrl);
        row.locator("form.batch-reissue button").click();
        assertThat(page.locator("#figure-failed")).hasText("0");
        Download again = page.waitForDownload(() -> row.locator("a.batch-bank-file").first().click());
        List<List<String>> second = Tabular.csvRows(Files.readString(again.path(), StandardCharsets.UTF_8)).stream()
                .skip(1).map(Tabular.Row::cells).toList();
        org.assertj.core.api.Assertions.assertThat(second).hasSize(1);
        org.assertj.core.api.Assertions.assertThat(second.get(0).get(2)).isEqualTo(sent.get(0).get(2));
        Files.writeString(back, "序号,账号,金额,结果\n" + second.get(0).get(0) + "," + second.get(0).get(2) + ","
                + second.get(0).get(3) + ",成功\n", StandardCharsets.UTF_8);
        row.locator("form.batch-return input[type=file]").setInputFiles(back);
        row.locator("form.batch-return button").click();
        assertThat(page.locator("#return-done")).containsText("成功 1 笔");
        page.navigate(url("/?aidTerm=" + term));
        org.assertj.core.api.Assertions.assertThat(yuan(page.locator("#fig-aid-paid").innerText()))
                .isEqualByComparingTo(yuan(paidAfterReturn).add(new BigDecimal(sent.get(0).get(3))));
        assertThat(page.locator("#fig-aid-failed")).hasText("0");
        shot("36-dashboard-after-return");
        page.navigate(url("/aid"));
        assertThat(page.locator("#ledger-state")).hasText("资金台账平衡");
    }

    /**
     * Wuxue's pupils at a university outside the county: no school of the county acts for them, so the center's
     * clerk prepares the university's batch from the term's page, the center's second person checks it, the head of
     * the center approves it and the bank file can be written. On a phone the list fits the screen.
     */
    @Test
    void theCenterBatchesItsPupilsAtAUniversityWithThreeOfItsPeople() {
        long term = jdbc.sql("SELECT id FROM aid_term WHERE term_code = '2025-SPRING' AND scope_code = '421182000000'")
                .query(Long.class).single();
        String termUrl = url("/aid/terms/" + term);
        login("zizhu-jingban");
        page.setViewportSize(390, 844);
        page.navigate(termUrl);
        var outside = page.locator("#outside-schools tbody tr");
        assertThat(outside).hasCount(1);
        String university = outside.locator("td").first().innerText();
        org.assertj.core.api.Assertions.assertThat(university).isNotBlank();
        assertThat(outside).containsText("外地");
        org.assertj.core.api.Assertions.assertThat((Integer) page.evaluate("document.documentElement.scrollWidth"))
                .isLessThanOrEqualTo(390);
        windowShot("37-aid-outside-schools-phone");
        page.setViewportSize(1440, 900);
        outside.locator("form.outside-prepare button").click();
        var row = page.locator("#batch-table tr", new Page.LocatorOptions().setHasText(university));
        assertThat(row.locator(".batch-status")).hasText("待审核");
        assertThat(page.locator("#outside-schools")).hasCount(0);
        // The clerk who prepared it may not check it.
        assertThat(row.locator("form.batch-check")).hasCount(0);

        // Each person signs in at their own desk (a new browser context, so a new page to find the row on).
        as("zizhu-fuhe");
        page.navigate(termUrl);
        row = page.locator("#batch-table tr", new Page.LocatorOptions().setHasText(university));
        row.locator("form.batch-check button").click();
        assertThat(row.locator(".batch-status")).hasText("待批准");
        assertThat(row.locator("form.batch-approve")).hasCount(0);

        as("zizhu");
        page.navigate(termUrl);
        row = page.locator("#batch-table tr", new Page.LocatorOptions().setHasText(university));
        row.locator("form.batch-approve button").click();
        assertThat(row.locator(".batch-status")).hasText("已批准");
        // People by name, not by account.
        assertThat(row).containsText("经办：县资助中心经办（演示）");
        assertThat(row).containsText("审核：县资助中心复核（演示）");
        assertThat(row).containsText("批准：县资助中心（演示）");
        assertThat(row.locator("a.batch-bank-file").first()).isVisible();
        shot("38-aid-outside-batch-approved");
    }

    private static BigDecimal yuan(String figure) {
        return new BigDecimal(figure.replaceAll("[^0-9.]", ""));
    }

    @Test
    void aVillageCadreLogsAPersuasionVisitOnADropoutCase() {
        String village = jdbc.sql("SELECT MIN(village_code) FROM dropout_case WHERE status = 'SUSPECTED'")
                .query(String.class).single();
        login("cun-" + village);
        page.click("text=控辍保学");
        shot("16-dropout-cases");
        page.locator("#dropout-table a.btn").first().click();
        page.fill("#visitors", "村主任、班主任");
        page.fill("#notes", "孩子随父母在外，已联系家长，答应开学返校");
        page.selectOption("#outcome", "PROMISED_RETURN");
        page.click("#visit-save");
        assertThat(page.locator("#case-done")).hasText("走访记录已保存。");
        assertThat(page.locator("#visit-table")).containsText("答应开学返校");
        page.click("#case-close");
        assertThat(page.locator("#case-error")).containsText("学籍中还没有显示该儿童在读");
        shot("17-dropout-case");
    }

    @Test
    void theEnglishUiHasNoChineseLabels() {
        login("zizhu");
        page.navigate(url("/?lang=en"));
        assertThat(page.locator("#stage-table")).containsText("Kindergarten");
        String menu = page.locator("nav.sidebar").innerText();
        assertThat(menu.codePoints().noneMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN)).isTrue();
        shot("08-dashboard-en");
        page.navigate(url("/?lang=zh_CN"));
    }

    @Test
    void anAdminCreatesAVillageAccountMovesItToAnotherVillageByNameAndItsUserSeesOnlyThatVillage() {
        String village = jdbc.sql("SELECT scope_code FROM app_user WHERE username = 'hm-cunwei'").query(String.class)
                .single();
        login("admin");
        page.navigate(url("/admin/accounts"));
        page.fill("#new-username", "cun-browser-1");
        page.fill("#new-display", "红旗村新任村干部");
        page.selectOption("#new-role", "VILLAGE");
        page.selectOption("#new-scope", village);
        page.click("#account-create-submit");
        assertThat(page.locator("#account-done")).containsText("已创建 1 个账号");
        String temporary = page.locator("#account-issued .temporary-password").first().textContent().strip();
        assertThat(temporary).hasSize(12);
        windowShot("40-account-created");
        page.setViewportSize(390, 844);
        windowShot("40-account-created-phone");
        page.setViewportSize(1400, 900);

        // The cadre moved to the next village: the admin picks it by name in the row's 调整, as for a new account.
        String moved = jdbc.sql("SELECT MIN(code) FROM region WHERE parent_code = (SELECT parent_code FROM region "
                + "WHERE code = :v) AND code <> :v").param("v", village).query(String.class).single();
        String movedName = jdbc.sql("SELECT t.name || ' ' || v.name FROM region v JOIN region t ON t.code = v.parent_code "
                + "WHERE v.code = :c").param("c", moved).query(String.class).single();
        page.navigate(url("/admin/accounts?q=cun-browser-1"));
        var row = page.locator("#account-table tr", new Page.LocatorOptions().setHasText("cun-browser-1"));
        row.locator("summary").click();
        var area = row.locator("select.rescope-area");
        assertThat(area.locator("option[value='" + moved + "']")).hasText(movedName);
        area.selectOption(moved);
        windowShot("40-account-rescope");
        row.locator("form[action$='/scope'] button[type=submit]").click();
        assertThat(page.locator("#account-done")).containsText("角色与范围已调整");
        assertThat(jdbc.sql("SELECT scope_code FROM app_user WHERE username = "
                + "'cun-browser-1'").query(String.class).single()).isEqualTo(moved);
        context.clearCookies();

        // The new cadre signs in with the temporary password and is taken to change it before anything else.
        page.navigate(url("/login"));
        page.fill("#username", "cun-browser-1");
        page.fill("#password", temporary);
        page.click("button[type=submit]");
        page.navigate(url("/students"));
        assertThat(page).hasURL(url("/account/password"));
        assertThat(page.locator("#password-must")).isVisible();
        page.setViewportSize(390, 844);
        shot("41-must-change-password-phone");
        page.fill("#currentPassword", temporary);
        page.fill("#newPassword", "qwertyuiop");
        page.fill("#confirmPassword", "qwertyuiop");
        page.click("#password-submit");
        assertThat(page.locator("#password-error")).containsText("太常见");
        page.fill("#currentPassword", temporary);
        page.fill("#newPassword", "村口的老槐树又发芽了");
        page.fill("#confirmPassword", "村口的老槐树又发芽了");
        page.click("#password-submit");
        assertThat(page.locator("#login-changed")).isVisible();
        page.fill("#username", "cun-browser-1");
        page.fill("#password", "村口的老槐树又发芽了");
        page.click("button[type=submit]");
        page.waitForURL(url("/"));
        page.setViewportSize(1400, 900);

        // Only the children who live in the village.
        long living = jdbc.sql("""
                SELECT COUNT(*) FROM enrolment e JOIN person p ON p.id = e.person_id
                JOIN household h ON h.id = p.household_id WHERE h.region_code = :v""").param("v", moved)
                .query(Long.class).single();
        page.navigate(url("/students"));
        assertThat(page.locator("body")).containsText("共 " + living + " 条");
        shot("42-village-students");
    }

    /** Issue 10: the linkage page lists every roster line's decision, for each county, on a desktop and a phone. */
    @Test
    void theLinkagePageListsEachLinesDecisionOnADesktopAndAPhone() {
        for (String user : List.of("zizhu", "hm-zizhu")) {
            login(user);
            page.navigate(url("/identification/linkage"));
            assertThat(page.locator("#links-table")).containsText("身份证号一致");
            page.setViewportSize(1440, 900);
            windowShot("20-linkage-links-" + user);
            page.setViewportSize(390, 844);
            page.locator("#links").scrollIntoViewIfNeeded();
            windowShot("21-linkage-links-phone-" + user);
            // The table scrolls inside its own box; the page itself never scrolls sideways.
            Object wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth");
            org.assertj.core.api.Assertions.assertThat(wide).isEqualTo(false);
            page.setViewportSize(1400, 900);
            page.context().clearCookies();
        }
    }

    @Test
    void theAuditLogReadsInWordsOnADeskAndOnAPhone() {
        login("zizhu");
        page.navigate(url("/audit"));
        page.selectOption("#action", "AID_BATCH_APPROVED");
        page.click("form[action$='/audit'] button[type=submit]");
        assertThat(page.locator("#audit-table tbody tr").first()).containsText("审批资助发放批次");
        // The batch named by its school and term, not by its number.
        assertThat(page.locator("#audit-table tbody tr").first().locator("td").nth(3))
                .containsText(Pattern.compile("发放批次 .+ · \\d{4}—\\d{4} 学年"));
        assertThat(page.locator("#audit-table")).not().containsText("AID_BATCH_APPROVED");
        assertThat(page.locator("#audit-table")).not().containsText("{\"");
        windowShot("45-audit-log");
        page.setViewportSize(390, 844);
        assertThat(((Number) page.evaluate("document.documentElement.scrollWidth")).intValue()).isLessThanOrEqualTo(390);
        windowShot("45-audit-log-phone");
    }

    @Test
    void theLeaderReadsTheRoundAndTheStudentPageItsResultOnAPhone() {
        login("lingdao");
        assertThat(page.locator("#ident-progress tr[data-step=SURVEY]")).containsText("村级普查");
        assertThat(page.locator("#ident-township tbody tr").first()).isVisible();
        windowShot("47-leader-dashboard");
        page.setViewportSize(390, 844);
        // As a phone opens it: the charts size themselves to the window they are drawn in.
        page.reload();
        assertThat(page.locator("#ident-card")).isVisible();
        assertThat(((Number) page.evaluate("document.documentElement.scrollWidth")).intValue()).isLessThanOrEqualTo(390);
        page.locator("#ident-card").screenshot(new com.microsoft.playwright.Locator.ScreenshotOptions()
                .setPath(SHOTS.resolve("47-leader-dashboard-phone.png")));
        long student = jdbc.sql("""
                SELECT MIN(e.student_id) FROM aid_entitlement e JOIN ident_entry x ON x.student_id = e.student_id
                WHERE e.term_code = '2025-SPRING'""").query(Long.class).single();
        page.navigate(url("/students/" + student));
        assertThat(page.locator("#student-notes")).containsText("精准识别");
        assertThat(page.locator("#student-notes")).containsText("已到账");
        assertThat(((Number) page.evaluate("document.documentElement.scrollWidth")).intValue()).isLessThanOrEqualTo(390);
        shot("48-student-notes-phone");
    }
}
