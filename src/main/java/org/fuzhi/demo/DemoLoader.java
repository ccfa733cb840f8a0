package org.fuzhi.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.fuzhi.aid.Catalog;
import org.fuzhi.aid.Funds;
import org.fuzhi.common.Page;
import org.fuzhi.common.Stage;
import org.fuzhi.identification.Linkage;
import org.fuzhi.identification.Notices;
import org.fuzhi.identification.Rounds;
import org.fuzhi.platform.Accounts;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Imports;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.Scope;
import org.fuzhi.region.Directory;
import org.fuzhi.region.RegionView;
import org.fuzhi.region.SchoolView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * On the first start against an empty database, generates the demo county and loads it through the
 * normal import path, then creates the demo accounts. Runs before the web server accepts requests, so
 * the first page already shows the full county. Never runs with the {@code prod} profile.
 */
@Component
class DemoLoader implements SmartInitializingSingleton {

    /** The one documented password of every demo account (README). */
    static final String DEMO_PASSWORD = "Fuzhi@2026";
    static final String COUNTY_CODE = "421182000000";
    /** The second demo county (黄梅县, same city): every scope rule is tested against both. */
    static final String NEIGHBOUR_CODE = "421127000000";
    static final String CITY_CODE = "421100000000";
    static final String PROVINCE_CODE = "420000000000";

    private static final Logger log = LoggerFactory.getLogger(DemoLoader.class);

    private final Accounts accounts;
    private final Imports imports;
    private final Rounds rounds;
    private final Directory directory;
    private final Linkage linkage;
    private final Environment env;
    private final boolean enabled;

    private final Catalog catalog;
    private final Funds funds;
    private final DemoHistory history;
    private final Notices notices;

    DemoLoader(Accounts accounts, Imports imports, Directory directory, Linkage linkage,
               Rounds rounds, Catalog catalog, Funds funds,
               DemoHistory history, Notices notices, Environment env,
               @Value("${fuzhi.demo.load:true}") boolean enabled) {
        this.history = history;
        this.notices = notices;
        this.catalog = catalog;
        this.funds = funds;
        this.linkage = linkage;
        this.accounts = accounts;
        this.imports = imports;
        this.rounds = rounds;
        this.directory = directory;
        this.env = env;
        this.enabled = enabled;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (!enabled || env.acceptsProfiles(Profiles.of("prod")) || accounts.count() > 0) {
            return;
        }
        long start = System.nanoTime();
        Path dir;
        try {
            dir = Files.createTempDirectory("fuzhi-demo-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var out = DemoGenerator.generate(dir, DemoGenerator.Scale.COUNTY, 20260901L);
        try {
            // The province's center sets up the divisions; the county's own center imports the rest.
            loadCounty(out, PROVINCE_CODE, COUNTY_CODE);
            loadNeighbour(dir.resolve("neighbour"));
            createAccounts();
        } finally {
            SecurityContextHolder.clearContext();
            deleteQuietly(dir.resolve("neighbour"));
            deleteQuietly(dir);
        }
        log.info("Demo county {} loaded in {} ms ({} students, {} household member rows)", COUNTY_CODE,
                (System.nanoTime() - start) / 1_000_000, out.studentRows(), out.householdRows());
    }

    /**
     * The second county arrives the way a real one would: the city puts its county and villages into the regions,
     * then the county's own center imports its schools, people and roster, and runs its own first round.
     */
    private void loadNeighbour(Path dir) {
        loadCounty(DemoGenerator.generate(dir, DemoGenerator.Scale.NEIGHBOUR, 20260902L), CITY_CODE, NEIGHBOUR_CODE);
    }

    /**
     * One county through the normal import path: its divisions by the center above it ({@code regionsBy}), the
     * rest by its own center, which then runs the county's first identification round (linking the roster, grading
     * hardship, opening the dropout cases).
     */
    private void loadCounty(DemoGenerator.Output out, String regionsBy, String countyCode) {
        as(systemUser(regionsBy));
        load("regions", out.regions());
        var system = systemUser(countyCode);
        as(system);
        load("schools", out.schools());
        load("households", out.households());
        load("students", out.students());
        loadGroups(out.groups());
        load("roster", out.roster());
        if (countyCode.equals(COUNTY_CODE)) {
            // Wuxue's own items and funds, and the spring term it already paid from them: the dashboard shows aid by
            // fund and the backstop's use from the first start.
            setUpAid(system);
            // Wuxue's notices name their issuer and an objection line (fake number, an address marked as demo data);
            // Huangmei's keep the defaults, as a county that has not filled them in yet.
            notices.saveContact(system, new Notices.ContactEdit("武穴市学生资助管理中心",
                    "0713-0000000", "武穴市演示路 1 号（演示数据）"));
            history.playSpringTerm(new CurrentUser(0, "zizhu", "zizhu", Role.CENTER, Scope.region(countyCode)),
                    centralSchool(countyCode), DemoLoader::as, () -> {
                        as(system);
                        load("payee-accounts", out.accounts());
                    });
            as(system);
        }
        var round = rounds.create(system, new Rounds.NewRound(
                "2026—2027学年秋季学期精准识别", 2026, "AUTUMN", countyCode));
        log.info("Demo identification round {} of {} created: {}", round.id(), countyCode, linkage.stats(system));
    }

    /**
     * Wuxue's own aid items and its funds for the year, as its center enters them (the seed: 校车乘车费 for compulsory
     * education and 普高 学费、教材费 waived by the county; special funds first, the 4,000,000 元 backstop, charity).
     * The term itself is opened by the center once the round is final.
     */
    private void setUpAid(CurrentUser center) {
        var local = Catalog.Kind.WAIVER;
        var roster = List.of("ROSTER");
        LocalDate from = LocalDate.of(2025, 1, 1);
        catalog.save(center, new Catalog.ItemEdit("WX_SCHOOL_BUS", null, "免除校车乘车费（武穴）",
                List.of(Stage.PRIMARY, Stage.JUNIOR), local, COUNTY_CODE, roster,
                null, null, Catalog.Boarding.ANY, null, null, true, new BigDecimal("600.00"),
                null, 2, null, null, from, null, 35, "市本级免除建档立卡贫困家庭义务教育在校生校车乘车费"));
        // Before the national 免学杂费 in catalog order and in the same group: inside Wuxue the county's waiver
        // stands in its place, never both.
        catalog.save(center, new Catalog.ItemEdit("WX_SENIOR_TUITION", null, "免除普通高中学费（武穴）",
                List.of(Stage.SENIOR), local, COUNTY_CODE, roster, null, null,
                Catalog.Boarding.ANY, null, null, true, new BigDecimal("1200.00"), null, 2,
                "SENIOR_TUITION", null, from, null, 39, "市本级免除建档立卡贫困家庭高中在校生学费"));
        catalog.save(center, new Catalog.ItemEdit("WX_SENIOR_BOOKS", null, "免除普通高中教材费（武穴）",
                List.of(Stage.SENIOR), local, COUNTY_CODE, roster, null, null,
                Catalog.Boarding.ANY, null, null, true, new BigDecimal("400.00"), null, 2, null,
                null, from, null, 42, "市本级免除建档立卡贫困家庭高中在校生教材费"));
        var living = List.of("BOARDING_PRIMARY", "DAY_PRIMARY", "BOARDING_JUNIOR", "DAY_JUNIOR");
        funds.create(center, new Funds.NewFund("WX-2026-CENTRAL", "2026年中央学生资助专项资金",
                Funds.Kind.CENTRAL_SPECIAL, COUNTY_CODE, 2026, null, new BigDecimal("2000000.00"),
                new ArrayList<>(Stream.concat(living.stream(),
                        Stream.of("SENIOR_GRANT", "VOC_GRANT")).toList()), null, null));
        funds.create(center, new Funds.NewFund("WX-2026-PROVINCE", "2026年湖北省学生资助专项资金",
                Funds.Kind.PROVINCIAL_SPECIAL, COUNTY_CODE, 2026, null, new BigDecimal("600000.00"),
                List.of("KG_AID", "SENIOR_GRANT", "VOC_GRANT", "UNI_NEW_STUDENT"), null, null));
        funds.create(center, new Funds.NewFund("WX-2026-BACKSTOP", "2026年武穴市本级兜底资金",
                Funds.Kind.COUNTY_BACKSTOP, COUNTY_CODE, 2026, null, new BigDecimal("4000000.00"),
                null, null, null));
        funds.create(center, new Funds.NewFund("WX-2026-LESHAN", "“乐善助学”爱心捐款",
                Funds.Kind.CHARITY, COUNTY_CODE, 2026, null, new BigDecimal("150000.00"),
                null, null, null));
    }

    private static CurrentUser systemUser(String region) {
        return new CurrentUser(0, "system", "system", Role.CENTER, Scope.region(region));
    }

    /** Imports read the signed-in user's scope from the security context. */
    private static void as(CurrentUser user) {
        CurrentUser.Principal principal = () -> user;
        SecurityContextHolder.getContext().setAuthentication(new UsernamePasswordAuthenticationToken(principal, null,
                AuthorityUtils.createAuthorityList("ROLE_" + user.role().name())));
    }

    private void load(String kind, Path file) {
        long start = System.nanoTime();
        var r = imports.run(kind, file, file.getFileName().toString(), false, Locale.SIMPLIFIED_CHINESE);
        long ms = Math.max(1, (System.nanoTime() - start) / 1_000_000);
        log.info("Demo import {}: {} rows in {} ms ({} rows/s)", kind, r.accepted(), ms, r.accepted() * 1000L / ms);
        if (r.rejected() > 0) {
            // The generator and the import rules must agree; a rejected demo row is a bug to see at once.
            throw new IllegalStateException("demo " + kind + " rejected " + r.rejected() + " rows, first: "
                    + r.errors().get(0));
        }
    }

    private void loadGroups(Path file) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            r.readLine();
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split(",", -1);
                directory.saveGroup(f[0], f[1], f[2], f[3], Arrays.asList(f[4].split(" ")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void createAccounts() {
        List<Accounts.NewAccount> all = new ArrayList<>();
        all.add(account("admin", "系统管理员（演示）", Role.ADMIN, Scope.NONE));
        all.add(account("juanzeng", "捐赠方（演示）", Role.DONOR, Scope.region(COUNTY_CODE)));
        countyAccounts(all, COUNTY_CODE, "", "县");
        countyAccounts(all, NEIGHBOUR_CODE, "hm-", "黄梅县");
        accounts.createAll(all);
        log.info("Demo accounts created: {}", all.size());
    }

    /**
     * The named accounts of one county (prefixed for the second) and one account per unit of the verification
     * workflow, as in a real county: cun-<village code>, zhen-<township code>, xiao-<school code> (the reviewer).
     */
    private void countyAccounts(List<Accounts.NewAccount> all, String countyCode, String prefix, String label) {
        RegionView keyVillage = firstKeyPoorVillage(countyCode);
        String township = keyVillage.parentCode();
        Scope county = Scope.region(countyCode);
        String school = centralSchool(countyCode);
        all.add(account(prefix + "zizhu", label + "资助中心（演示）", Role.CENTER, county));
        // Two more people of the center: a batch of a school outside the county is prepared and checked by the
        // center itself, and approved by a third person.
        all.add(account(prefix + "zizhu-jingban", label + "资助中心经办（演示）", Role.CENTER, county));
        all.add(account(prefix + "zizhu-fuhe", label + "资助中心复核（演示）", Role.CENTER, county));
        all.add(account(prefix + "lingdao", label + "教育局领导（演示）", Role.LEADER, county));
        all.add(account(prefix + "xiangzhen", label + "镇处核实员（演示）", Role.TOWNSHIP, Scope.region(township)));
        all.add(account(prefix + "cunwei", label + "村干部（演示）", Role.VILLAGE, Scope.region(keyVillage.code())));
        all.add(account(prefix + "xuexiao", label + "学校经办（演示）", Role.SCHOOL_OPERATOR, Scope.school(school)));
        all.add(account(prefix + "xuexiao-shenhe", label + "学校审核（演示）", Role.SCHOOL_REVIEWER, Scope.school(school)));
        all.add(account(prefix + "pinggu", label + "第三方评估（演示）", Role.EVALUATOR, county));
        for (RegionView t : directory.children(countyCode)) {
            all.add(account("zhen-" + t.code(), t.name() + "核实员（演示）", Role.TOWNSHIP, Scope.region(t.code())));
            for (RegionView v : directory.children(t.code())) {
                all.add(account("cun-" + v.code(), v.name() + "干部（演示）", Role.VILLAGE, Scope.region(v.code())));
            }
        }
        for (int page = 0; ; page++) {
            Page<SchoolView> p = directory.schools(county, new Directory.SchoolQuery(null, null, null), page, 500);
            for (SchoolView s : p.items()) {
                if (s.regionCode() != null && s.regionCode().startsWith(countyCode.substring(0, 6))) {
                    all.add(account("xiao-" + s.code(), s.name() + "审核（演示）", Role.SCHOOL_REVIEWER,
                            Scope.school(s.code())));
                    all.add(account("ban-" + s.code(), s.name() + "经办（演示）", Role.SCHOOL_OPERATOR,
                            Scope.school(s.code())));
                }
            }
            if (!p.hasNext()) {
                break;
            }
        }
    }

    /** The school of the named school accounts ({@code xuexiao}, {@code xuexiao-shenhe}). */
    private String centralSchool(String countyCode) {
        String centralName = countyCode.equals(COUNTY_CODE) ? "城关中心小学" : "黄梅中心小学";
        Page<SchoolView> central = directory.schools(Scope.region(countyCode),
                new Directory.SchoolQuery(centralName, "PRIMARY", null), 0, 1);
        return central.items().get(0).code();
    }

    private RegionView firstKeyPoorVillage(String countyCode) {
        for (RegionView township : directory.children(countyCode)) {
            for (RegionView v : directory.children(township.code())) {
                if (v.keyPoorVillage()) {
                    return v;
                }
            }
        }
        throw new IllegalStateException("demo county has no key poor village");
    }

    private static Accounts.NewAccount account(String username, String name, Role role, Scope scope) {
        return new Accounts.NewAccount(username, DEMO_PASSWORD, name, role, scope, true);
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            log.debug("could not delete {}", dir, e);
        }
    }
}
