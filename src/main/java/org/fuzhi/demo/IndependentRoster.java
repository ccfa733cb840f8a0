package org.fuzhi.demo;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.fuzhi.platform.Tabular;

/**
 * A poverty roster written the way a township's clerks write one, for measuring record linkage on noise the matcher
 * did not shape (issue 10). Deliberately separate from the matcher and from {@link DemoGenerator}'s roster: its
 * own tables of homophones, look-alike and traditional characters, 0–3 faults per line drawn from every kind clerks
 * make, and people who are not in the registry at all (an unregistered twin, a namesake of another generation in
 * the same village, a neighbour with the same surname and birthday).
 * <p>
 * Input: the registry's household file ({@code households.csv}). Output: {@code roster-independent.csv} in the roster
 * import's format and {@code roster-independent-truth.csv}: per roster line (in file order) the true ID number —
 * empty for a person the registry does not hold — and the faults made.
 */
public final class IndependentRoster {

    /** Every fault kind, by its name in the truth file. */
    public enum Fault {
        NAME_HOMOPHONE, NAME_LOOKALIKE, NAME_TRADITIONAL, NAME_DROPPED, NAME_DOUBLED, NAME_SWAPPED,
        ID_DIGIT, ID_SWAP, ID_LETTER_O, ID_EXCEL, ID_RELATIVE, ID_MISSING,
        BIRTH_MISSING, BIRTH_SHIFTED, BIRTH_FORMAT, GENDER_WRONG, VILLAGE_NEIGHBOUR
    }

    /** People the registry does not hold: a correct linkage links none of them. */
    public enum Stranger { UNREGISTERED_TWIN, NAMESAKE_OTHER_GENERATION, SAME_SURNAME_VILLAGE_BIRTHDAY }

    private static final Set<String> ROSTER_CATEGORIES = Set.of("脱贫户", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户");

    /** Groups of characters read alike (one pinyin), as an input method offers them side by side. */
    private static final String[] HOMOPHONES = {"明鸣铭名", "伟维玮炜", "华花桦", "丽莉俐利力", "军君均钧", "杰洁捷",
            "涛韬滔", "婷亭庭", "芳方昉", "静靖婧敬", "强墙蔷", "磊蕾垒", "敏闵珉", "娟鹃涓", "勇永咏", "艳燕雁彦",
            "辉晖徽", "平萍坪", "刚钢纲", "秀琇岫", "英瑛莹", "玲铃凌灵", "宇雨语羽", "欣新鑫馨", "浩皓昊", "佳嘉家",
            "子紫梓", "涵含晗", "怡宜仪", "轩萱宣", "博波柏", "文雯闻", "俊骏峻", "思斯丝", "雪学", "晨辰臣"};
    /** Characters a hurried hand or a scan confuses. */
    private static final String[][] LOOKALIKES = {{"己", "已"}, {"未", "末"}, {"土", "士"}, {"日", "曰"}, {"人", "入"},
            {"千", "干"}, {"天", "夭"}, {"王", "玉"}, {"兰", "当"}, {"春", "舂"}, {"延", "廷"}, {"宇", "字"}, {"壮", "状"},
            {"红", "虹"}, {"晴", "睛"}, {"清", "请"}, {"梅", "海"}, {"洋", "样"}, {"林", "材"}, {"峰", "锋"}};
    /** Simplified → traditional, for names copied from an old household register. */
    private static final Map<Character, Character> TRADITIONAL = Map.ofEntries(Map.entry('国', '國'),
            Map.entry('华', '華'), Map.entry('张', '張'), Map.entry('陈', '陳'), Map.entry('刘', '劉'),
            Map.entry('杨', '楊'), Map.entry('黄', '黃'), Map.entry('赵', '趙'), Map.entry('吴', '吳'),
            Map.entry('孙', '孫'), Map.entry('马', '馬'), Map.entry('龙', '龍'), Map.entry('凤', '鳳'),
            Map.entry('丽', '麗'), Map.entry('红', '紅'), Map.entry('兰', '蘭'), Map.entry('梦', '夢'),
            Map.entry('爱', '愛'), Map.entry('伟', '偉'), Map.entry('军', '軍'), Map.entry('涛', '濤'),
            Map.entry('东', '東'), Map.entry('书', '書'), Map.entry('学', '學'), Map.entry('晓', '曉'),
            Map.entry('杰', '傑'), Map.entry('鹏', '鵬'), Map.entry('飞', '飛'), Map.entry('亮', '亮'));
    private static final String GIVEN = "明华丽军杰涛婷芳静强磊敏娟勇艳辉平刚秀英玲宇欣浩佳子涵怡轩博文俊思雪晨";

    private record Member(String householdNo, String village, String head, String category, String identified,
                          String exited, String name, String id, String relation, String gender, LocalDate birth) {
    }

    private IndependentRoster() {
    }

    /** Writes the roster and its truth into {@code dir}; returns the number of roster lines. */
    public static long write(Path households, Path dir, long seed) throws Exception {
        Random random = new Random(seed);
        Map<String, List<Member>> byHousehold = new LinkedHashMap<>();
        Map<String, List<String>> villagesByTownship = new LinkedHashMap<>();
        Tabular.read(households, Tabular.Format.CSV, (rowNo, c) -> {
            if (rowNo == 1 || c.size() < 13 || !ROSTER_CATEGORIES.contains(c.get(3))) {
                return;
            }
            Member m = new Member(c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5), c.get(8), c.get(9),
                    c.get(10), c.get(11), LocalDate.parse(c.get(12)));
            byHousehold.computeIfAbsent(m.householdNo(), k -> new ArrayList<>()).add(m);
            List<String> villages = villagesByTownship.computeIfAbsent(m.village().substring(0, 9), k -> new ArrayList<>());
            if (!villages.contains(m.village())) {
                villages.add(m.village());
            }
        });
        long lines = 0;
        try (CsvSink roster = new CsvSink(dir.resolve("roster-independent.csv"), List.of("户编号", "所在村代码", "户类别",
                "监测状态", "识别年度", "脱贫年度", "成员姓名", "成员身份证号", "与户主关系", "性别", "出生日期"));
             CsvSink truth = new CsvSink(dir.resolve("roster-independent-truth.csv"),
                     List.of("line", "householdNo", "trueIdNumber", "faults"))) {
            for (List<Member> family : byHousehold.values()) {
                for (Member m : family) {
                    int faults = pickFaultCount(random);
                    List<Fault> made = new ArrayList<>();
                    String[] line = clean(m);
                    for (int i = 0; i < faults; i++) {
                        Fault f = Fault.values()[random.nextInt(Fault.values().length)];
                        if (!made.contains(f) && apply(f, line, m, family, villagesByTownship, random)) {
                            made.add(f);
                        }
                    }
                    roster.write(List.of(line));
                    truth.write(List.of(String.valueOf(++lines), m.householdNo(), m.id(),
                            made.isEmpty() ? "NONE" : String.join("+", made.stream().map(Enum::name).toList())));
                }
                // About one household in twelve also lists someone the registry does not hold.
                if (random.nextInt(12) == 0) {
                    Stranger s = Stranger.values()[random.nextInt(Stranger.values().length)];
                    roster.write(List.of(stranger(s, family, random)));
                    truth.write(List.of(String.valueOf(++lines), family.get(0).householdNo(), "", s.name()));
                }
            }
        }
        return lines;
    }

    private static int pickFaultCount(Random random) {
        int r = random.nextInt(100);
        return r < 45 ? 0 : r < 75 ? 1 : r < 92 ? 2 : 3;
    }

    private static String[] clean(Member m) {
        return new String[]{m.householdNo(), m.village(), m.category(), "", m.identified(), m.exited(), m.name(),
                m.id(), m.relation(), m.gender(), m.birth().toString()};
    }

    private static final int NAME = 6;
    private static final int ID = 7;
    private static final int GENDER = 9;
    private static final int BIRTH = 10;
    private static final int VILLAGE = 1;

    private static boolean apply(Fault f, String[] line, Member m, List<Member> family,
                                 Map<String, List<String>> villages, Random random) {
        String name = line[NAME];
        String id = line[ID];
        switch (f) {
            case NAME_HOMOPHONE -> {
                for (int i = name.length() - 1; i >= 1; i--) {
                    for (String group : HOMOPHONES) {
                        int at = group.indexOf(name.charAt(i));
                        if (at >= 0) {
                            char other = group.charAt((at + 1 + random.nextInt(group.length() - 1)) % group.length());
                            line[NAME] = name.substring(0, i) + other + name.substring(i + 1);
                            return true;
                        }
                    }
                }
                return false;
            }
            case NAME_LOOKALIKE -> {
                for (String[] pair : LOOKALIKES) {
                    for (int k = 0; k < 2; k++) {
                        int at = name.indexOf(pair[k]);
                        if (at >= 0) {
                            line[NAME] = name.substring(0, at) + pair[1 - k] + name.substring(at + 1);
                            return true;
                        }
                    }
                }
                return false;
            }
            case NAME_TRADITIONAL -> {
                StringBuilder sb = new StringBuilder(name);
                boolean changed = false;
                for (int i = 0; i < sb.length(); i++) {
                    Character t = TRADITIONAL.get(sb.charAt(i));
                    if (t != null && t != sb.charAt(i)) {
                        sb.setCharAt(i, t);
                        changed = true;
                    }
                }
                line[NAME] = sb.toString();
                return changed;
            }
            case NAME_DROPPED -> {
                if (name.length() < 3) {
                    return false;
                }
                int at = 1 + random.nextInt(name.length() - 1);
                line[NAME] = name.substring(0, at) + name.substring(at + 1);
                return true;
            }
            case NAME_DOUBLED -> {
                int at = 1 + random.nextInt(name.length() - 1);
                line[NAME] = name.substring(0, at + 1) + name.charAt(at) + name.substring(at + 1);
                return true;
            }
            case NAME_SWAPPED -> {
                if (name.length() != 3 || name.charAt(1) == name.charAt(2)) {
                    return false;
                }
                line[NAME] = "" + name.charAt(0) + name.charAt(2) + name.charAt(1);
                return true;
            }
            case ID_DIGIT -> {
                if (!isId(id)) {
                    return false;
                }
                int at = random.nextInt(17);
                char c = (char) ('0' + (id.charAt(at) - '0' + 1 + random.nextInt(9)) % 10);
                line[ID] = id.substring(0, at) + c + id.substring(at + 1);
                return true;
            }
            case ID_SWAP -> {
                if (!isId(id)) {
                    return false;
                }
                for (int tries = 0; tries < 10; tries++) {
                    int at = random.nextInt(16);
                    if (id.charAt(at) != id.charAt(at + 1)) {
                        line[ID] = id.substring(0, at) + id.charAt(at + 1) + id.charAt(at) + id.substring(at + 2);
                        return true;
                    }
                }
                return false;
            }
            case ID_LETTER_O -> {
                int at = id.indexOf('0');
                if (!isId(id) || at < 0) {
                    return false;
                }
                line[ID] = id.substring(0, at) + (random.nextBoolean() ? 'O' : 'o') + id.substring(at + 1);
                return true;
            }
            case ID_EXCEL -> {
                if (!isId(id) || id.endsWith("X")) {
                    return false;
                }
                // Excel keeps 15 significant digits: the number shown in scientific notation, or its last 3 as 000.
                line[ID] = random.nextBoolean() ? id.substring(0, 15) + "000"
                        : id.charAt(0) + "." + id.substring(1, 6) + "E+17";
                return true;
            }
            case ID_RELATIVE -> {
                List<Member> others = family.stream().filter(o -> !o.id().equals(m.id())).toList();
                if (others.isEmpty()) {
                    return false;
                }
                line[ID] = others.get(random.nextInt(others.size())).id();
                return true;
            }
            case ID_MISSING -> {
                line[ID] = random.nextBoolean() ? "无" : "";
                return true;
            }
            case BIRTH_MISSING -> {
                line[BIRTH] = "";
                return true;
            }
            case BIRTH_SHIFTED -> {
                LocalDate b = m.birth();
                LocalDate shifted = random.nextBoolean() && b.getDayOfMonth() <= 12 && b.getDayOfMonth() != b.getMonthValue()
                        ? LocalDate.of(b.getYear(), b.getDayOfMonth(), b.getMonthValue())
                        : b.plusDays(random.nextBoolean() ? 1 + random.nextInt(3) : -1 - random.nextInt(3));
                line[BIRTH] = shifted.toString();
                return true;
            }
            case BIRTH_FORMAT -> {
                if (line[BIRTH].isEmpty()) {
                    return false;
                }
                LocalDate b = LocalDate.parse(line[BIRTH]);
                String[] formats = {"yyyy/M/d", "yyyyMMdd", "yyyy年M月d日", "yyyy.MM.dd"};
                line[BIRTH] = b.format(DateTimeFormatter.ofPattern(formats[random.nextInt(formats.length)]));
                return true;
            }
            case GENDER_WRONG -> {
                line[GENDER] = "男".equals(line[GENDER]) ? "女" : "男";
                return true;
            }
            case VILLAGE_NEIGHBOUR -> {
                List<String> near = villages.getOrDefault(m.village().substring(0, 9), List.of()).stream()
                        .filter(v -> !v.equals(m.village())).toList();
                if (near.isEmpty()) {
                    return false;
                }
                line[VILLAGE] = near.get(random.nextInt(near.size()));
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private static boolean isId(String s) {
        return s != null && s.length() == 18;
    }

    /** A person the registry does not hold, written into the family's household. */
    private static String[] stranger(Stranger s, List<Member> family, Random random) {
        Member model = family.get(random.nextInt(family.size()));
        Member youngest = family.stream().max(Comparator.comparing(Member::birth)).orElseThrow();
        String surname = model.name().substring(0, 1);
        String name;
        LocalDate birth;
        String relation;
        switch (s) {
            case UNREGISTERED_TWIN -> {
                name = surname + GIVEN.charAt(random.nextInt(GIVEN.length())) + GIVEN.charAt(random.nextInt(GIVEN.length()));
                birth = youngest.birth();
                relation = youngest.relation();
                model = youngest;
            }
            case NAMESAKE_OTHER_GENERATION -> {
                model = youngest;
                name = youngest.name();
                birth = youngest.birth().minusYears(25 + random.nextInt(30)).withDayOfMonth(1 + random.nextInt(28));
                relation = "其他";
            }
            default -> {
                name = surname + GIVEN.charAt(random.nextInt(GIVEN.length()));
                birth = model.birth();
                relation = "其他";
            }
        }
        String gender = random.nextBoolean() ? "男" : "女";
        String id = newId(model.id().substring(0, 6), birth, gender, random);
        return new String[]{model.householdNo(), model.village(), model.category(), "", model.identified(),
                model.exited(), name, id, relation, gender, birth.toString()};
    }

    /** A valid GB 11643 number with sequence digits the demo registry never hands out (9xx). */
    private static String newId(String area, LocalDate birth, String gender, Random random) {
        int seq = 900 + random.nextInt(50) * 2 + ("男".equals(gender) ? 1 : 0);
        String first17 = area + birth.format(DateTimeFormatter.BASIC_ISO_DATE) + seq;
        int[] w = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (first17.charAt(i) - '0') * w[i];
        }
        return first17 + "10X98765432".charAt(sum % 11);
    }
}
