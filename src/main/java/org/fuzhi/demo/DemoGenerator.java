package org.fuzhi.demo;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.fuzhi.common.IdNumber;
import org.fuzhi.common.SchoolType;
import org.fuzhi.common.Stage;

/**
 * Generates a synthetic county (or a province of them) as import files. Deterministic for a seed.
 * The demo county reproduces the Wuxue report's figures exactly (SPEC §4); every person is invented.
 */
public final class DemoGenerator {

    /** NEIGHBOUR: the second, smaller demo county of the same city (黄梅县), for two-county scope tests. */
    public enum Scale { COUNTY, PROVINCE, NEIGHBOUR }

    /** The files written, and the figures the demo county must show after loading. */
    /** @param accounts the payee accounts schools collect for the children of registered families (收款账户) */
    public record Output(Path regions, Path schools, Path households, Path students, Path groups, Path roster,
                         Path rosterTruth, long regionRows, long schoolRows, long householdRows, long studentRows,
                         Path accounts) {
    }

    static final String COUNTY = "421182";
    static final LocalDate SCHOOL_YEAR_START = LocalDate.of(2026, 9, 1);

    /** SPEC §4: school-age members of registered poor households, in school. */
    static final Map<Stage.StatGroup, Integer> ROSTER_STUDENTS = orderedMap(
            Stage.StatGroup.KINDERGARTEN, 1238, Stage.StatGroup.PRIMARY, 3087, Stage.StatGroup.JUNIOR, 891,
            Stage.StatGroup.SENIOR, 446, Stage.StatGroup.VOCATIONAL, 226, Stage.StatGroup.HIGHER, 792);
    static final Map<Stage.StatGroup, Integer> OTHER_STUDENTS = orderedMap(
            Stage.StatGroup.KINDERGARTEN, 5200, Stage.StatGroup.PRIMARY, 13500, Stage.StatGroup.JUNIOR, 6800,
            Stage.StatGroup.SENIOR, 4100, Stage.StatGroup.VOCATIONAL, 1600, Stage.StatGroup.HIGHER, 0);
    static final int KEY_POOR_VILLAGES = 46;
    static final int TEACHING_POINTS_IN_KEY_VILLAGES = 23;
    static final int KEY_VILLAGE_TEACHERS = 222;
    static final int DROPOUT_CHILDREN = 7;

    /** The second demo county: same city as Wuxue, about a tenth of its students, its own townships. */
    static final String NEIGHBOUR = "421127";
    static final String NEIGHBOUR_NAME = "黄梅县";
    static final int NEIGHBOUR_DROPOUT_CHILDREN = 2;
    private static final String[] NEIGHBOUR_TOWNSHIPS = {"黄梅镇", "孔垄镇", "小池镇", "大河镇", "停前镇", "五祖镇",
            "濯港镇", "杉木乡", "柳林乡", "苦竹乡", "新开镇", "独山镇"};

    private static final String[] TOWNSHIPS = {"城关街道", "东湖镇", "西岭镇", "南山镇", "北港镇", "梅溪镇", "花桥镇",
            "龙坪镇", "石门镇", "余川镇", "田园镇", "松林镇"};
    private static final String[] VILLAGES = {"新华", "红旗", "建设", "和平", "胜利", "团结", "光明", "向阳", "永安",
            "长岭", "杨树", "桥头", "塘湾", "柳林", "枫树", "高山", "茶园", "竹林", "石桥", "河口", "王家", "李家", "陈家",
            "张家", "刘家"};
    static final String[] SURNAMES = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
            "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖",
            "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢",
            "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊",
            "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵",
            "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "汤", "单", "解", "区", "仇"};
    private static final String GIVEN = "子梓浩宇轩涵欣怡雨萱思彤嘉俊杰一诺佳琪明华伟芳秀英静丽强军磊洋艳勇娟敏超霞平刚桂兰"
            + "文博晨曦天佑家豪宏志建国玉梅春燕海燕晓东志强秋菊冬梅立新国庆红梅小龙金凤子墨若汐沐阳";

    private final Random random;
    /**
     * Adults of civil-affairs (低保) households, remembered for the roster lines a clerk has to look at (see
     * {@link #writeReviewPairs}). Picked as they are written, so the main sequence of random numbers is untouched.
     */
    private final List<Object[]> reviewCandidates = new ArrayList<>();
    static final int REVIEW_PAIRS = 5;
    private final Map<String, String> labels;
    private final Map<LocalDate, Integer> sequence = new HashMap<>();
    private String idPrefix = COUNTY;
    private String[] townshipNames = TOWNSHIPS;
    private long householdSeq;
    private int schoolSeq;
    private long extraStudents;
    private CsvSink roster;
    private CsvSink accounts;
    private CsvSink truth;

    private DemoGenerator(long seed) {
        this.random = new Random(seed);
        this.labels = loadLabels();
    }

    /**
     * Like {@link #generate(Path, Scale, long)}, plus {@code students-extra.csv} with {@code extraStudents} more
     * ordinary students in the county's schools (ID numbers from another prefix), for import benchmarks.
     */
    public static Output generate(Path dir, Scale scale, long seed, long extraStudents) {
        DemoGenerator g = new DemoGenerator(seed);
        g.extraStudents = extraStudents;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return g.run(dir, scale);
    }

    public static Output generate(Path dir, Scale scale, long seed) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DemoGenerator(seed).run(dir, scale);
    }

    // ---------------------------------------------------------------- model of one county

    record Region(String code, String name, boolean keyPoor, String urbanRural) {
    }

    record School(String code, String name, SchoolType type, String village, String parent, boolean boarding,
                  int teachers, boolean outOfCounty, String location) {
    }

    record Group(String kind, String code, String name, String lead, List<String> members) {
    }

    private final class County {
        final String code6;
        final List<Region> townships = new ArrayList<>();
        final Map<String, List<Region>> villagesOf = new LinkedHashMap<>();
        final List<School> schools = new ArrayList<>();
        final Map<String, List<School>> kindergartens = new HashMap<>();
        final Map<String, List<School>> primaries = new HashMap<>();
        final Map<String, School> teachingPointOfVillage = new HashMap<>();
        final Map<String, List<School>> juniors = new HashMap<>();
        final List<School> seniors = new ArrayList<>();
        final List<School> vocationals = new ArrayList<>();
        final List<Group> groups = new ArrayList<>();
        final List<Region> keyVillages = new ArrayList<>();
        final List<Region> allVillages = new ArrayList<>();

        County(String code6) {
            this.code6 = code6;
        }

        /** Type digits + province digits + a sequence unique in the whole generated province. */
        String schoolCode(SchoolType type) {
            return type.code() + code6.substring(0, 2) + String.format("%06d", ++schoolSeq);
        }
    }

    // ---------------------------------------------------------------- run

    private Output run(Path dir, Scale scale) {
        Path regions = dir.resolve("regions.csv");
        Path schools = dir.resolve("schools.csv");
        Path households = dir.resolve("households.csv");
        Path students = dir.resolve("students.csv");
        Path groups = dir.resolve("groups.csv");
        Path rosterFile = dir.resolve("roster.csv");
        Path truthFile = dir.resolve("roster-truth.csv");
        Path accountsFile = dir.resolve("accounts.csv");
        try (CsvSink r = new CsvSink(regions, header("regions", "code", "name", "keyPoorVillage", "urbanRuralClass"));
             CsvSink s = new CsvSink(schools, header("schools", "code", "name", "type", "regionCode", "parentSchoolCode",
                     "boarding", "teacherCount", "outOfCounty", "location"));
             CsvSink h = new CsvSink(households, header("households", "householdNo", "villageCode", "headName",
                     "povertyCategory", "identifiedYear", "exitedYear", "incomePerHead", "housingSafe", "memberName",
                     "memberIdNumber", "relation", "gender", "birthDate", "ethnicity", "disability", "health"));
             CsvSink st = new CsvSink(students, header("students", "studentNo", "name", "idNumber", "gender",
                     "birthDate", "ethnicity", "schoolCode", "stage", "grade", "className", "boarding", "status",
                     "householdNo", "relation", "leftBehind", "singleParent", "orphan", "disability"));
             CsvSink g = new CsvSink(groups, List.of("kind", "code", "name", "lead", "members"));
             CsvSink ro = new CsvSink(rosterFile, header("roster", "householdNo", "villageCode", "category",
                     "monitoringStatus", "identifiedYear", "exitedYear", "memberName", "memberIdNumber", "relation",
                     "gender", "birthDate"));
             CsvSink tr = new CsvSink(truthFile, List.of("householdNo", "rosterIdNumber", "trueIdNumber", "noise"));
             CsvSink ac = new CsvSink(accountsFile, header("payee-accounts", "studentIdNumber", "studentName", "holderName",
                     "relation", "accountType", "bank", "accountNumber"))) {
            this.roster = ro;
            this.accounts = ac;
            this.truth = tr;
            List<School> universities = universities();
            if (scale != Scale.NEIGHBOUR) {
                r.write(List.of("420000000000", "湖北省", "否", ""));
            }
            if (scale == Scale.NEIGHBOUR) {
                // Only the county and below: the province and the city are already there with Wuxue.
                townshipNames = NEIGHBOUR_TOWNSHIPS;
                idPrefix = NEIGHBOUR;
                // School codes are unique in the whole province: start past every code the Wuxue run uses.
                schoolSeq = 500;
                County c = buildCounty(NEIGHBOUR, NEIGHBOUR_NAME, true);
                writeStructure(c, r, s, g, universities.subList(0, 0));
                Map<Stage.StatGroup, Integer> roster = scaled(ROSTER_STUDENTS, 0.1);
                Map<Stage.StatGroup, Integer> other = scaled(OTHER_STUDENTS, 0.1);
                writePeople(c, h, st, universities, roster, other, NEIGHBOUR_DROPOUT_CHILDREN);
            } else if (scale == Scale.COUNTY) {
                r.write(List.of("421100000000", "黄冈市", "否", ""));
                County c = buildCounty(COUNTY, "武穴市", true);
                writeStructure(c, r, s, g, universities);
                writePeople(c, h, st, universities, ROSTER_STUDENTS, OTHER_STUDENTS, DROPOUT_CHILDREN);
                if (extraStudents > 0) {
                    writeExtraStudents(c, dir.resolve("students-extra.csv"), universities);
                }
            } else {
                // ~100 counties of ~100k students and ~20k roster members each: ~10M students, ~2M roster members.
                for (int city = 1; city <= 17; city++) {
                    String cityCode = "42" + String.format("%02d", city + 20);
                    r.write(List.of(cityCode + "00000000", "示例" + city + "市", "否", ""));
                    int counties = city <= 15 ? 6 : 5;
                    for (int k = 1; k <= counties; k++) {
                        String code6 = cityCode + String.format("%02d", 20 + k);
                        County c = buildCounty(code6, "示例" + city + "市" + k + "县", false);
                        sequence.clear();
                        idPrefix = code6;
                        Map<Stage.StatGroup, Integer> roster = scaled(ROSTER_STUDENTS, 1.3);
                        Map<Stage.StatGroup, Integer> other = scaled(OTHER_STUDENTS, 3.0);
                        writeStructure(c, r, s, g, universities.subList(0, 0));
                        writePeople(c, h, st, universities, roster, other, DROPOUT_CHILDREN);
                    }
                }
                for (School u : universities) {
                    writeSchool(s, u);
                }
            }
            return new Output(regions, schools, households, students, groups, rosterFile, truthFile, r.dataRows(),
                    s.dataRows(), h.dataRows(), st.dataRows(), accountsFile);
        }
    }

    private Map<Stage.StatGroup, Integer> scaled(Map<Stage.StatGroup, Integer> base, double factor) {
        Map<Stage.StatGroup, Integer> out = new EnumMap<>(Stage.StatGroup.class);
        base.forEach((k, v) -> out.put(k, (int) Math.round(v * factor * (0.8 + 0.4 * random.nextDouble()))));
        return out;
    }

    private List<School> universities() {
        String[][] list = {{"武汉", "示范大学"}, {"武汉", "示范理工大学"}, {"武汉", "示范师范学院"}, {"黄石", "示范职业技术学院"},
                {"黄冈", "示范师范学院"}, {"长沙", "示范农业大学"}, {"南昌", "示范医学院"}, {"合肥", "示范工业大学"},
                {"武汉", "示范职业技术学院"}, {"九江", "示范学院"}, {"宜昌", "示范大学"}, {"襄阳", "示范职业技术学院"}};
        List<School> out = new ArrayList<>();
        for (int i = 0; i < list.length; i++) {
            out.add(new School("4142" + String.format("%06d", 900001 + i), list[i][0] + list[i][1],
                    SchoolType.UNIVERSITY, null, null, true, 0, true, list[i][0]));
        }
        return out;
    }

    private County buildCounty(String code6, String name, boolean exactKeyVillageFigures) {
        County c = new County(code6);
        for (int t = 0; t < townshipNames.length; t++) {
            String tcode = code6 + (100 + t + 1) + "000";
            Region township = new Region(tcode, townshipNames[t], false, null);
            c.townships.add(township);
            List<Region> villages = new ArrayList<>();
            for (int v = 0; v < VILLAGES.length; v++) {
                String vcode = code6 + (100 + t + 1) + (201 + v);
                villages.add(new Region(vcode, VILLAGES[v] + (v < 3 ? "社区" : "村"), false,
                        t == 0 && v < 3 ? "111" : (v == 0 ? "121" : "220")));
            }
            c.villagesOf.put(tcode, villages);
        }
        // 46 key poor villages, never a township's seat (index 0), spread over townships 2..12 and a few in 1.
        List<int[]> candidates = new ArrayList<>();
        for (int t = 0; t < townshipNames.length; t++) {
            for (int v = 1; v < VILLAGES.length; v++) {
                if (t == 0 && v < 3) {
                    continue;
                }
                candidates.add(new int[]{t, v});
            }
        }
        Collections.shuffle(candidates, random);
        for (int i = 0; i < KEY_POOR_VILLAGES; i++) {
            int[] tv = candidates.get(i);
            String tcode = c.townships.get(tv[0]).code();
            List<Region> vs = c.villagesOf.get(tcode);
            Region old = vs.get(tv[1]);
            Region key = new Region(old.code(), old.name(), true, "220");
            vs.set(tv[1], key);
        }
        for (List<Region> vs : c.villagesOf.values()) {
            for (Region v : vs) {
                c.allVillages.add(v);
                if (v.keyPoor()) {
                    c.keyVillages.add(v);
                }
            }
        }
        buildSchools(c, name);
        return c;
    }

    private void buildSchools(County c, String countyName) {
        Region seat = c.villagesOf.get(c.townships.get(0).code()).get(0);
        // County-level schools at the county seat.
        for (int i = 1; i <= 2; i++) {
            School s = new School(c.schoolCode(SchoolType.SENIOR), countyName + "第" + (i == 1 ? "一" : "二") + "高级中学",
                    SchoolType.SENIOR, seat.code(), null, true, 120 + random.nextInt(60), false, null);
            c.schools.add(s);
            c.seniors.add(s);
        }
        for (int i = 1; i <= 2; i++) {
            School s = new School(c.schoolCode(SchoolType.VOCATIONAL), countyName + (i == 1 ? "职业教育中心" : "技工学校"),
                    SchoolType.VOCATIONAL, seat.code(), null, true, 60 + random.nextInt(40), false, null);
            c.schools.add(s);
            c.vocationals.add(s);
        }
        c.schools.add(new School(c.schoolCode(SchoolType.SPECIAL), countyName + "特殊教育学校", SchoolType.SPECIAL,
                seat.code(), null, true, 25, false, null));
        // Per township: central kindergarten + 2 village kindergartens, central primary + 2 village primaries,
        // one junior school, one teaching point in an ordinary village.
        for (Region t : c.townships) {
            List<Region> vs = c.villagesOf.get(t.code());
            List<Region> ordinary = vs.stream().filter(v -> !v.keyPoor()).toList();
            Region townSeat = vs.get(0);
            String stem = t.name().replace("街道", "").replace("镇", "").replace("乡", "");
            List<School> kg = new ArrayList<>();
            kg.add(add(c, new School(c.schoolCode(SchoolType.KINDERGARTEN), stem + "中心幼儿园", SchoolType.KINDERGARTEN,
                    townSeat.code(), null, false, 15 + random.nextInt(10), false, null)));
            for (int i = 1; i <= 2; i++) {
                Region v = ordinary.get(i * 3);
                kg.add(add(c, new School(c.schoolCode(SchoolType.KINDERGARTEN), stem + v.name().replace("村", "").replace("社区", "")
                        + "幼儿园", SchoolType.KINDERGARTEN, v.code(), null, false, 6 + random.nextInt(6), false, null)));
            }
            c.kindergartens.put(t.code(), kg);
            List<School> pri = new ArrayList<>();
            School central = add(c, new School(c.schoolCode(SchoolType.PRIMARY), stem + "中心小学", SchoolType.PRIMARY,
                    townSeat.code(), null, true, 40 + random.nextInt(30), false, null));
            pri.add(central);
            for (int i = 1; i <= 2; i++) {
                Region v = ordinary.get(i * 3 + 1);
                pri.add(add(c, new School(c.schoolCode(SchoolType.PRIMARY), stem + v.name().replace("村", "").replace("社区", "")
                        + "小学", SchoolType.PRIMARY, v.code(), null, false, 12 + random.nextInt(10), false, null)));
            }
            c.primaries.put(t.code(), pri);
            School junior = add(c, new School(c.schoolCode(SchoolType.JUNIOR), stem + "中学", SchoolType.JUNIOR,
                    townSeat.code(), null, true, 50 + random.nextInt(30), false, null));
            c.juniors.computeIfAbsent(t.code(), k -> new ArrayList<>()).add(junior);
            Region tpVillage = ordinary.get(ordinary.size() - 1);
            School tp = add(c, new School(c.schoolCode(SchoolType.TEACHING_POINT),
                    stem + tpVillage.name().replace("村", "") + "教学点", SchoolType.TEACHING_POINT, tpVillage.code(),
                    central.code(), false, 3, false, null));
            c.teachingPointOfVillage.put(tpVillage.code(), tp);
        }
        // SPEC §4: 26 schools in key poor villages — 2 junior, 1 primary, 23 teaching points — with 222 teachers.
        List<Region> keys = new ArrayList<>(c.keyVillages);
        int[] tpTeachers = new int[TEACHING_POINTS_IN_KEY_VILLAGES];
        int tpTotal = KEY_VILLAGE_TEACHERS - 2 * 40 - 30;
        for (int i = 0; i < tpTeachers.length; i++) {
            tpTeachers[i] = tpTotal / tpTeachers.length + (i < tpTotal % tpTeachers.length ? 1 : 0);
        }
        for (int i = 0; i < 2; i++) {
            Region v = keys.get(i);
            String t = townshipOf(v.code());
            School s = add(c, new School(c.schoolCode(SchoolType.JUNIOR), v.name().replace("村", "") + "初级中学",
                    SchoolType.JUNIOR, v.code(), null, true, 40, false, null));
            c.juniors.get(t).add(s);
        }
        Region pv = keys.get(2);
        School keyPrimary = add(c, new School(c.schoolCode(SchoolType.PRIMARY), pv.name().replace("村", "") + "小学",
                SchoolType.PRIMARY, pv.code(), null, true, 30, false, null));
        c.primaries.get(townshipOf(pv.code())).add(keyPrimary);
        for (int i = 0; i < TEACHING_POINTS_IN_KEY_VILLAGES; i++) {
            Region v = keys.get(3 + i);
            String t = townshipOf(v.code());
            School tp = add(c, new School(c.schoolCode(SchoolType.TEACHING_POINT), v.name().replace("村", "") + "教学点",
                    SchoolType.TEACHING_POINT, v.code(), c.primaries.get(t).get(0).code(), false, tpTeachers[i], false,
                    null));
            c.teachingPointOfVillage.put(v.code(), tp);
        }
        buildGroups(c);
    }

    private void buildGroups(County c) {
        List<School> keySchools = c.schools.stream().filter(s -> isKeyVillage(c, s.village())).toList();
        // 6 alliances of one strong school and three key-village schools: 24 联校制 schools.
        List<School> leads = new ArrayList<>(c.seniors);
        for (int t = 0; t < 4; t++) {
            leads.add(c.primaries.get(c.townships.get(t).code()).get(0));
        }
        int k = 0;
        for (int a = 0; a < 6; a++) {
            List<String> members = new ArrayList<>();
            members.add(leads.get(a).code());
            for (int i = 0; i < 3; i++) {
                members.add(keySchools.get(k++).code());
            }
            c.groups.add(new Group("ALLIANCE", c.code6 + "-LX" + (a + 1), leads.get(a).name() + "联校", leads.get(a).code(),
                    members));
        }
        // 36 学区, three per township; six more key-village schools join a district (24 involved in all).
        int extraKey = 6;
        for (int t = 0; t < c.townships.size(); t++) {
            Region township = c.townships.get(t);
            List<School> local = c.schools.stream().filter(s -> s.village() != null
                    && s.village().startsWith(township.code().substring(0, 9)) && !isKeyVillage(c, s.village())).toList();
            for (int d = 0; d < 3; d++) {
                List<String> members = new ArrayList<>();
                for (int i = d; i < local.size(); i += 3) {
                    members.add(local.get(i).code());
                }
                if (extraKey > 0 && d == 0 && t % 2 == 0) {
                    members.add(keySchools.get(k++).code());
                    extraKey--;
                }
                c.groups.add(new Group("DISTRICT", c.code6 + "-XQ" + (t * 3 + d + 1),
                        township.name() + "第" + (d + 1) + "学区", members.get(0), members));
            }
        }
    }

    private static boolean isKeyVillage(County c, String village) {
        return village != null && c.keyVillages.stream().anyMatch(v -> v.code().equals(village));
    }

    private static School add(County c, School s) {
        c.schools.add(s);
        return s;
    }

    private static String townshipOf(String villageCode) {
        return villageCode.substring(0, 9) + "000";
    }

    private void writeStructure(County c, CsvSink r, CsvSink s, CsvSink g, List<School> universities) {
        String name = switch (c.code6) {
            case COUNTY -> "武穴市";
            case NEIGHBOUR -> NEIGHBOUR_NAME;
            default -> "示例县" + c.code6;
        };
        r.write(List.of(c.code6 + "000000", name, "否", ""));
        for (Region t : c.townships) {
            r.write(List.of(t.code(), t.name(), "否", ""));
            for (Region v : c.villagesOf.get(t.code())) {
                r.write(List.of(v.code(), v.name(), v.keyPoor() ? "是" : "否", v.urbanRural()));
            }
        }
        // Parents before teaching points: the import checks that a parent school exists.
        c.schools.stream().filter(x -> x.parent() == null).forEach(x -> writeSchool(s, x));
        c.schools.stream().filter(x -> x.parent() != null).forEach(x -> writeSchool(s, x));
        universities.forEach(u -> writeSchool(s, u));
        for (Group grp : c.groups) {
            g.write(List.of(grp.kind(), grp.code(), grp.name(), grp.lead(), String.join(" ", grp.members())));
        }
    }

    private void writeSchool(CsvSink s, School x) {
        s.write(List.of(x.code(), x.name(), label("SchoolType", x.type().name()), x.village() == null ? "" : x.village(),
                x.parent() == null ? "" : x.parent(), x.boarding() ? "是" : "否", String.valueOf(x.teachers()),
                x.outOfCounty() ? "是" : "否", x.location() == null ? "" : x.location()));
    }

    // ---------------------------------------------------------------- people

    private void writePeople(County c, CsvSink h, CsvSink st, List<School> universities,
                             Map<Stage.StatGroup, Integer> roster, Map<Stage.StatGroup, Integer> other, int dropouts) {
        List<Stage.StatGroup> slots = new ArrayList<>();
        roster.forEach((g, n) -> slots.addAll(Collections.nCopies(n, g)));
        Collections.shuffle(slots, random);
        int next = 0;
        int dropoutsLeft = dropouts;
        while (next < slots.size()) {
            int k = Math.min(slots.size() - next, pickChildren());
            List<Stage.StatGroup> kids = slots.subList(next, next + k);
            next += k;
            Region village = random.nextDouble() < 0.45
                    ? c.keyVillages.get(random.nextInt(c.keyVillages.size()))
                    : c.allVillages.get(random.nextInt(c.allVillages.size()));
            boolean dropout = dropoutsLeft > 0 && next % 700 < k;
            if (dropout) {
                dropoutsLeft--;
            }
            writeHousehold(c, h, st, universities, village, rosterCategory(), kids, dropout);
        }
        while (dropoutsLeft-- > 0) {
            writeHousehold(c, h, st, universities, c.keyVillages.get(random.nextInt(c.keyVillages.size())),
                    rosterCategory(), List.of(), true);
        }
        // Civil-affairs households (低保) that are not on the poverty roster: their children count as ordinary.
        for (int i = 0; i < 150; i++) {
            Region village = c.allVillages.get(random.nextInt(c.allVillages.size()));
            Stage.StatGroup g = random.nextBoolean() ? Stage.StatGroup.PRIMARY : Stage.StatGroup.JUNIOR;
            writeHousehold(c, h, st, universities, village, "RURAL_DIBAO", List.of(g), false);
            other = new EnumMap<>(other);
            other.merge(g, -1, Integer::sum);
        }
        writeReviewPairs();
        // Ordinary students with no household record.
        for (var e : other.entrySet()) {
            for (int i = 0; i < e.getValue(); i++) {
                Region village = c.allVillages.get(random.nextInt(c.allVillages.size()));
                String surname = SURNAMES[random.nextInt(SURNAMES.length)];
                writeStudent(c, st, universities, village, e.getKey(), surname, null);
            }
        }
    }

    private void writeExtraStudents(County c, Path file, List<School> universities) {
        // Another (real-format) county prefix so the extra students never collide with the demo county's people.
        idPrefix = "429004";
        sequence.clear();
        Stage.StatGroup[] groups = {Stage.StatGroup.KINDERGARTEN, Stage.StatGroup.PRIMARY, Stage.StatGroup.PRIMARY,
                Stage.StatGroup.PRIMARY, Stage.StatGroup.JUNIOR, Stage.StatGroup.JUNIOR, Stage.StatGroup.SENIOR,
                Stage.StatGroup.VOCATIONAL};
        try (CsvSink st = new CsvSink(file, header("students", "studentNo", "name", "idNumber", "gender",
                "birthDate", "ethnicity", "schoolCode", "stage", "grade", "className", "boarding", "status",
                "householdNo", "relation", "leftBehind", "singleParent", "orphan", "disability"))) {
            for (long i = 0; i < extraStudents; i++) {
                Region village = c.allVillages.get(random.nextInt(c.allVillages.size()));
                writeStudent(c, st, universities, village, groups[random.nextInt(groups.length)],
                        SURNAMES[random.nextInt(SURNAMES.length)], null);
            }
        }
        idPrefix = c.code6;
    }

    private int pickChildren() {
        double r = random.nextDouble();
        return r < 0.5 ? 1 : r < 0.85 ? 2 : 3;
    }

    private String rosterCategory() {
        double r = random.nextDouble();
        return r < 0.85 ? "LIFTED" : r < 0.91 ? "UNSTABLE" : r < 0.97 ? "MARGINAL" : "SUDDEN_HARDSHIP";
    }

    private void writeHousehold(County c, CsvSink h, CsvSink st, List<School> universities, Region village,
                                String category, List<Stage.StatGroup> kids, boolean withDropout) {
        String no = c.code6 + String.format("%010d", ++householdSeq);
        String surname = SURNAMES[random.nextInt(SURNAMES.length)];
        LocalDate headBirth = LocalDate.of(1972 + random.nextInt(22), 1 + random.nextInt(12), 1 + random.nextInt(28));
        String headName = surname + given();
        String headId = idNumber(headBirth, true);
        boolean monitored = !category.equals("LIFTED") && !category.equals("RURAL_DIBAO");
        int identifiedYear = monitored ? 2021 + random.nextInt(5) : 2014 + random.nextInt(5);
        String identified = category.equals("RURAL_DIBAO") ? "" : String.valueOf(identifiedYear);
        String exited = category.equals("LIFTED")
                ? String.valueOf(Math.min(2020, identifiedYear + 1 + random.nextInt(3))) : "";
        String income = String.format("%d.%02d", 5200 + random.nextInt(9000), random.nextInt(100));
        List<String> base = List.of(no, village.code(), headName, label("PovertyCategory", category), identified, exited,
                income, "是");
        memberRow(h, base, headName, headId, "户主", headBirth, true);
        if (random.nextDouble() < 0.85) {
            LocalDate b = headBirth.plusDays(random.nextInt(1400) - 700);
            memberRow(h, base, SURNAMES[random.nextInt(SURNAMES.length)] + given(), idNumber(b, false), "配偶", b, false);
        }
        if (random.nextDouble() < 0.3) {
            LocalDate b = headBirth.minusYears(24 + random.nextInt(8));
            boolean male = random.nextBoolean();
            memberRow(h, base, surname + given(), idNumber(b, male), male ? "父亲" : "母亲", b, male);
        }
        for (Stage.StatGroup g : kids) {
            String[] child = writeStudent(c, st, universities, village, g, surname, no);
            memberRow(h, base, child[0], child[1], child[3].equals("M") ? "儿子" : "女儿", LocalDate.parse(child[2]),
                    child[3].equals("M"));
            writeAccount(no, headName, child[0], child[1], g);
        }
        if (withDropout) {
            // A school-age roster child with no enrolment: what identification must find (控辍保学).
            LocalDate b = SCHOOL_YEAR_START.minusYears(10 + random.nextInt(5)).minusDays(random.nextInt(300));
            boolean male = random.nextBoolean();
            memberRow(h, base, surname + given(), idNumber(b, male), male ? "儿子" : "女儿", b, male);
        }
    }

    private static final String[] BANKS = {"湖北武穴农村商业银行", "中国邮政储蓄银行武穴市支行", "中国农业银行武穴支行"};

    /**
     * The account a school collects for a child of a registered family: a university student's own card; for a
     * younger child the household head's (siblings share it), a bank card or the 社保卡 (一卡通). Derived from the
     * household and ID numbers, not drawn from the generator's random stream, so every other generated value stays
     * as it was. The numbers are invented: a fixed fake prefix and a valid check digit.
     */
    private void writeAccount(String householdNo, String headName, String childName, String childId,
                              Stage.StatGroup g) {
        // A head who shares the child's name cannot be told from the child on an account: the child's own then.
        boolean self = g == Stage.StatGroup.HIGHER || headName.equals(childName);
        long h = Math.floorMod((self ? childId : householdNo).hashCode() * 31L + 7, 1_000_000_007L);
        String bank = BANKS[(int) (h % BANKS.length)];
        boolean social = !self && h % 3 == 0;
        String body = (social ? "9" : "6") + "2999" + String.format("%013d", h * 9973 % 10_000_000_000_000L);
        String number = body + luhnDigit(body);
        accounts.write(List.of(childId, childName, self ? childName : headName, label("Relation", self ? "SELF" : "GUARDIAN"),
                label("Type", social ? "SOCIAL_CARD" : "BANK_CARD"), bank, number));
    }

    private static char luhnDigit(String body) {
        int sum = 0;
        for (int i = 0; i < body.length(); i++) {
            int d = body.charAt(body.length() - 1 - i) - '0';
            if (i % 2 == 0) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return (char) ('0' + (10 - sum % 10) % 10);
    }

    private void memberRow(CsvSink h, List<String> base, String name, String id, String relation, LocalDate birth,
                           boolean male) {
        String category = base.get(3);
        if (roster != null && !category.equals(label("PovertyCategory", "RURAL_DIBAO"))) {
            writeRosterRow(base, name, id, relation, birth, male);
        } else if (roster != null && birth.getYear() < 2000 && reviewCandidates.size() < REVIEW_PAIRS
                && (relation.equals("户主") || relation.equals("配偶"))) {
            reviewCandidates.add(new Object[]{base, name, id, relation, birth, male});
        }
        List<String> row = new ArrayList<>(base);
        row.add(name);
        row.add(id);
        row.add(relation);
        row.add(male ? "男" : "女");
        row.add(birth.toString());
        row.add("汉族");
        row.add("否");
        row.add("健康");
        h.write(row);
    }

    /**
     * A handful of roster lines no machine should decide, so that the demo's review queue shows what a clerk meets:
     * the poverty office listed an adult of a civil-affairs household (not on the roster otherwise) with the right ID
     * number but another given name (身份证号一致但姓名不符), or with a birth date years off the number's
     * (出生日期不符). Adults only: a decision either way changes no child's aid. Uses its own random numbers, so the
     * rest of the demo is the same as without them.
     */
    private void writeReviewPairs() {
        Random own = new Random(reviewCandidates.size() * 7919L + householdSeq);
        String[] otherGiven = {"秀英", "桂兰", "建华", "国强", "春生", "冬梅", "志刚", "红霞"};
        for (int i = 0; i < reviewCandidates.size(); i++) {
            Object[] c = reviewCandidates.get(i);
            @SuppressWarnings("unchecked")
            List<String> base = (List<String>) c[0];
            String name = (String) c[1];
            String id = (String) c[2];
            LocalDate birth = (LocalDate) c[4];
            boolean male = (Boolean) c[5];
            String rosterName = name;
            String stated = "";
            String noise;
            if (i % 2 == 0) {
                // A given name sharing no character with the real one: another person's name, not a typo of this one.
                String given = otherGiven[own.nextInt(otherGiven.length)];
                for (int k = 0; k < otherGiven.length && shares(given, name.substring(1)); k++) {
                    given = otherGiven[(Arrays.asList(otherGiven).indexOf(given) + 1) % otherGiven.length];
                }
                rosterName = name.substring(0, 1) + given;
                noise = "REVIEW_NAME";
            } else {
                stated = birth.plusYears(6 + own.nextInt(5)).withDayOfMonth(1 + own.nextInt(28)).toString();
                noise = "REVIEW_BIRTH";
            }
            roster.write(List.of(base.get(0), base.get(1), label("PovertyCategory", "MARGINAL"), "", "2024", "",
                    rosterName, id, (String) c[3], male ? "男" : "女", stated));
            truth.write(List.of(base.get(0), id, id, noise));
        }
        reviewCandidates.clear();
    }

    /**
     * The poverty office's copy of a household member, with the typos such rosters have: homophone names,
     * a mistyped or swapped ID digit, lower-case x, full-width digits, legacy 15-digit numbers.
     */
    private void writeRosterRow(List<String> base, String name, String id, String relation, LocalDate birth,
                                boolean male) {
        double r = random.nextDouble();
        String noise = "NONE";
        String rosterName = name;
        String rosterId = id;
        if (r < 0.02) {
            String h = homophone(name);
            if (!h.equals(name)) {
                rosterName = h;
                noise = "HOMOPHONE";
            }
        } else if (r < 0.04) {
            int pos = 14 + random.nextInt(3);
            char c = id.charAt(pos);
            rosterId = id.substring(0, pos) + (char) ('0' + (c - '0' + 1 + random.nextInt(8)) % 10) + id.substring(pos + 1);
            noise = "ONE_DIGIT";
        } else if (r < 0.05) {
            int pos = 6 + random.nextInt(7);
            if (id.charAt(pos) != id.charAt(pos + 1)) {
                rosterId = id.substring(0, pos) + id.charAt(pos + 1) + id.charAt(pos) + id.substring(pos + 2);
                noise = "SWAPPED";
            }
        } else if (r < 0.055) {
            rosterId = id.replace('X', 'x');
            noise = id.endsWith("X") ? "LOWER_X" : "NONE";
        } else if (r < 0.06) {
            StringBuilder sb = new StringBuilder();
            for (char c : id.toCharArray()) {
                sb.append(Character.isDigit(c) ? (char) (c - '0' + '０') : c);
            }
            rosterId = sb.toString();
            noise = "FULL_WIDTH";
        } else if (r < 0.065 && birth.getYear() < 2000) {
            rosterId = id.substring(0, 6) + id.substring(8, 17);
            noise = "LEGACY_15";
        }
        roster.write(List.of(base.get(0), base.get(1), base.get(3), "", base.get(4), base.get(5), rosterName, rosterId,
                relation, male ? "男" : "女", ""));
        truth.write(List.of(base.get(0), rosterId, id, noise));
    }

    private static final String[][] HOMOPHONES = {{"明", "铭"}, {"华", "桦"}, {"伟", "玮"}, {"军", "君"}, {"丽", "莉"},
            {"芳", "方"}, {"静", "婧"}, {"杰", "洁"}, {"浩", "昊"}, {"宇", "雨"}, {"轩", "萱"}, {"涵", "晗"}, {"欣", "馨"},
            {"怡", "仪"}, {"彤", "桐"}, {"嘉", "佳"}, {"俊", "骏"}, {"琪", "淇"}, {"娟", "鹃"}, {"霞", "夏"}, {"平", "萍"},
            {"刚", "钢"}, {"兰", "岚"}, {"文", "雯"}, {"晨", "辰"}, {"曦", "希"}, {"宏", "鸿"}, {"志", "智"}, {"建", "健"},
            {"玉", "钰"}, {"梅", "玫"}, {"燕", "艳"}, {"东", "冬"}, {"新", "欣"}, {"红", "虹"}, {"小", "晓"}, {"龙", "隆"},
            {"金", "今"}, {"凤", "峰"}, {"子", "紫"}, {"梓", "紫"}, {"一", "依"}, {"英", "莹"}, {"敏", "闽"}, {"勇", "永"}};

    private static boolean shares(String a, String b) {
        return a.chars().anyMatch(ch -> b.indexOf(ch) >= 0);
    }

    private static String homophone(String name) {
        for (int i = name.length() - 1; i >= 1; i--) {
            String c = name.substring(i, i + 1);
            for (String[] pair : HOMOPHONES) {
                if (pair[0].equals(c)) {
                    return name.substring(0, i) + pair[1] + name.substring(i + 1);
                }
                if (pair[1].equals(c)) {
                    return name.substring(0, i) + pair[0] + name.substring(i + 1);
                }
            }
        }
        return name;
    }

    /** Writes one student row; returns {name, id, birthDate, gender}. */
    private String[] writeStudent(County c, CsvSink st, List<School> universities, Region village, Stage.StatGroup g,
                                  String surname, String householdNo) {
        String t = townshipOf(village.code());
        Stage stage;
        int grade;
        int age;
        School school;
        switch (g) {
            case KINDERGARTEN -> {
                stage = Stage.KINDERGARTEN;
                grade = 1 + random.nextInt(3);
                age = 2 + grade;
                List<School> kg = c.kindergartens.get(t);
                school = kg.get(random.nextInt(kg.size()));
            }
            case PRIMARY -> {
                stage = Stage.PRIMARY;
                grade = 1 + random.nextInt(6);
                age = 5 + grade;
                School tp = c.teachingPointOfVillage.get(village.code());
                if (tp != null && grade <= 3 && random.nextDouble() < 0.7) {
                    school = tp;
                } else {
                    List<School> pri = c.primaries.get(t);
                    school = pri.get(random.nextInt(pri.size()));
                }
            }
            case JUNIOR -> {
                stage = Stage.JUNIOR;
                grade = 1 + random.nextInt(3);
                age = 11 + grade;
                List<School> js = c.juniors.get(t);
                school = js.get(random.nextInt(js.size()));
            }
            case SENIOR -> {
                stage = Stage.SENIOR;
                grade = 1 + random.nextInt(3);
                age = 14 + grade;
                school = c.seniors.get(random.nextInt(c.seniors.size()));
            }
            case VOCATIONAL -> {
                stage = Stage.VOCATIONAL;
                grade = 1 + random.nextInt(3);
                age = 14 + grade;
                school = c.vocationals.get(random.nextInt(c.vocationals.size()));
            }
            default -> {
                stage = random.nextDouble() < 0.7 ? Stage.UNDERGRADUATE : Stage.HIGHER_VOCATIONAL;
                grade = 1 + random.nextInt(stage == Stage.UNDERGRADUATE ? 4 : 3);
                age = 17 + grade;
                school = universities.get(random.nextInt(universities.size()));
            }
        }
        // Born between 1 Sep (age+1) years and 31 Aug (age) years before the school year starts.
        LocalDate birth = SCHOOL_YEAR_START.minusYears(age + 1).plusDays(random.nextInt(365));
        boolean male = random.nextBoolean();
        String name = surname + given();
        String id = idNumber(birth, male);
        String className = stage.statGroup() == Stage.StatGroup.HIGHER ? "" : grade + "(" + (1 + random.nextInt(4)) + ")班";
        boolean boarding = school.boarding() && stage != Stage.KINDERGARTEN && random.nextDouble() < 0.4;
        st.write(List.of("G" + id, name, id, male ? "男" : "女", birth.toString(), "汉族", school.code(),
                label("Stage", stage.name()), String.valueOf(grade), className, boarding ? "是" : "否",
                label("EnrolmentStatus", "IN_SCHOOL"), householdNo == null ? "" : householdNo,
                householdNo == null ? "" : "子女", random.nextDouble() < 0.2 ? "是" : "否", "否", "否", "否"));
        return new String[]{name, id, birth.toString(), male ? "M" : "F"};
    }

    private String given() {
        int n = random.nextDouble() < 0.8 ? 2 : 1;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(GIVEN.charAt(random.nextInt(GIVEN.length())));
        }
        return sb.toString();
    }

    /** A valid, unique, invented ID number: county prefix, birth date, sequence (odd = male), check digit. */
    String idNumber(LocalDate birth, boolean male) {
        int seq = sequence.merge(birth, 1, Integer::sum);
        int n = seq * 2 - (male ? 1 : 2);
        if (n > 999) {
            throw new IllegalStateException("sequence space exhausted for " + birth);
        }
        String body = idPrefix + birth.toString().replace("-", "") + String.format("%03d", n);
        return body + IdNumber.checkChar(body);
    }

    // ---------------------------------------------------------------- labels

    private List<String> header(String kind, String... codes) {
        List<String> out = new ArrayList<>();
        for (String c : codes) {
            out.add(labels.getOrDefault("import.col." + kind + "." + c, c));
        }
        return out;
    }

    private String label(String type, String constant) {
        return labels.getOrDefault("enum." + type + "." + constant, constant);
    }

    private static Map<String, String> loadLabels() {
        Properties p = new Properties();
        try (var in = DemoGenerator.class.getResourceAsStream("/messages.properties")) {
            if (in != null) {
                p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> out = new HashMap<>();
        p.forEach((k, v) -> out.put((String) k, (String) v));
        return out;
    }

    @SafeVarargs
    private static <K extends Enum<K>> Map<K, Integer> orderedMap(Object... kv) {
        Map<K, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            @SuppressWarnings("unchecked")
            K k = (K) kv[i];
            m.put(k, (Integer) kv[i + 1]);
        }
        return m;
    }
}
