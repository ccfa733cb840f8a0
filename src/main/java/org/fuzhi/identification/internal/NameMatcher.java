package org.fuzhi.identification.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.sourceforge.pinyin4j.PinyinHelper;
import net.sourceforge.pinyin4j.format.HanyuPinyinCaseType;
import net.sourceforge.pinyin4j.format.HanyuPinyinOutputFormat;
import net.sourceforge.pinyin4j.format.HanyuPinyinToneType;
import net.sourceforge.pinyin4j.format.HanyuPinyinVCharType;
import net.sourceforge.pinyin4j.format.exception.BadHanyuPinyinOutputFormatCombination;

/**
 * Compares Chinese names by characters and by sound. Roster clerks type names by pinyin input, so the usual
 * typo is a homophone (李明 / 黎明) or a confusable initial (zh/z, ch/c, sh/s, n/l, f/h) — not a random character.
 */
final class NameMatcher {

    /**
     * How two names compare, as a reader would judge them: the same, read alike, the same characters in another
     * form (traditional, look-alike), one character different, a character dropped or doubled, the given name's
     * characters swapped, a different surname (strong evidence of another person), or different.
     */
    enum Agreement { EXACT, HOMOPHONE, VARIANT_CHAR, SIMILAR, DROPPED, GIVEN_SWAPPED, SURNAME_DIFFERENT, DIFFERENT }

    /**
     * Traditional forms (names copied from old household registers) and look-alike characters (a hurried hand, a
     * scan), each mapped to one form so that they compare equal.
     */
    private static final Map<Character, Character> CANONICAL = canonical(
            "國国華华張张陳陈劉刘楊杨黃黄趙赵吳吴孫孙馬马龍龙鳳凤麗丽紅红蘭兰夢梦愛爱偉伟軍军濤涛東东書书學学曉晓傑杰"
                    + "鵬鹏飛飞葉叶賢贤興兴貴贵輝辉運运鐵铁鋼钢長长慶庆聰聪穎颖寶宝靜静燕燕紀纪許许鄧邓蕭萧謝谢韓韩"
                    + "馮冯鄭郑錢钱蔣蒋盧卢羅罗龔龚趙赵歐欧陸陆賈贾嚴严韋韦雲云鄒邹蘇苏倫伦穩稳鴻鸿燁烨瑩莹嬌娇顏颜"
                    + "已己巳己末未士土曰日入人干千夭天玉王廷延舂春字宇",
            2);

    private static Map<Character, Character> canonical(String pairs, int step) {
        Map<Character, Character> m = new HashMap<>();
        for (int i = 0; i + 1 < pairs.length(); i += step) {
            m.putIfAbsent(pairs.charAt(i), pairs.charAt(i + 1));
        }
        return Map.copyOf(m);
    }

    private static String canonical(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            sb.append(CANONICAL.getOrDefault(s.charAt(i), s.charAt(i)));
        }
        return sb.toString();
    }

    /** Surnames whose reading differs from the character's common reading (pinyin libraries get them wrong). */
    private static final Map<Character, String> SURNAME_READINGS = Map.ofEntries(
            Map.entry('单', "shan"), Map.entry('解', "xie"), Map.entry('区', "ou"), Map.entry('仇', "qiu"),
            Map.entry('曾', "zeng"), Map.entry('查', "zha"), Map.entry('朴', "piao"), Map.entry('尉', "yu"),
            Map.entry('乐', "yue"), Map.entry('盖', "ge"), Map.entry('缪', "miao"), Map.entry('覃', "qin"),
            Map.entry('任', "ren"), Map.entry('华', "hua"), Map.entry('繁', "po"), Map.entry('长', "chang"),
            Map.entry('重', "chong"), Map.entry('翟', "zhai"), Map.entry('万', "wan"), Map.entry('沈', "shen"));

    private static final HanyuPinyinOutputFormat FORMAT = new HanyuPinyinOutputFormat();

    static {
        FORMAT.setToneType(HanyuPinyinToneType.WITHOUT_TONE);
        FORMAT.setCaseType(HanyuPinyinCaseType.LOWERCASE);
        FORMAT.setVCharType(HanyuPinyinVCharType.WITH_V);
    }

    private NameMatcher() {
    }

    static Agreement compare(String a, String b) {
        if (a == null || b == null) {
            return Agreement.DIFFERENT;
        }
        a = a.strip();
        b = b.strip();
        if (a.equals(b)) {
            return Agreement.EXACT;
        }
        if (a.isEmpty() || b.isEmpty()) {
            return Agreement.DIFFERENT;
        }
        String ca = canonical(a);
        String cb = canonical(b);
        if (ca.equals(cb)) {
            return Agreement.VARIANT_CHAR;
        }
        if (a.length() == b.length() && soundKey(ca).equals(soundKey(cb))) {
            return Agreement.HOMOPHONE;
        }
        // The surname is the part a clerk gets right: another surname is another family.
        if (ca.charAt(0) != cb.charAt(0) && !folded(ca.charAt(0)).equals(folded(cb.charAt(0)))
                && !soundKey(ca.substring(0, 1)).equals(soundKey(cb.substring(0, 1)))) {
            return Agreement.SURNAME_DIFFERENT;
        }
        if (ca.length() == cb.length() && ca.length() >= 2) {
            int differing = 0;
            for (int i = 0; i < ca.length(); i++) {
                if (ca.charAt(i) != cb.charAt(i)) {
                    differing++;
                }
            }
            if (differing == 1) {
                return Agreement.SIMILAR;
            }
            if (ca.length() == 3 && ca.charAt(1) == cb.charAt(2) && ca.charAt(2) == cb.charAt(1)) {
                return Agreement.GIVEN_SWAPPED;
            }
        }
        if (Math.abs(ca.length() - cb.length()) == 1 && ca.length() + cb.length() >= 5) {
            String longer = ca.length() > cb.length() ? ca : cb;
            String shorter = ca.length() > cb.length() ? cb : ca;
            for (int i = 1; i < longer.length(); i++) {
                if ((longer.substring(0, i) + longer.substring(i + 1)).equals(shorter)) {
                    return Agreement.DROPPED;
                }
            }
        }
        return Agreement.DIFFERENT;
    }

    /** The name's pinyin with confusable initials folded (zh→z, ch→c, sh→s, l→n, h→f), syllables joined by '|'. */
    static String soundKey(String name) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(i == 0 && SURNAME_READINGS.containsKey(c) ? fold(SURNAME_READINGS.get(c)) : folded(c)).append('|');
        }
        return sb.toString();
    }

    /**
     * Folded readings by character, computed once: pinyin4j takes microseconds per character, and a province run
     * keys a million names. Bounded by the number of distinct characters (a few thousand in names).
     */
    private static final ConcurrentHashMap<Character, String> FOLDED =
            new ConcurrentHashMap<>();

    private static String folded(char c) {
        return FOLDED.computeIfAbsent(c, k -> fold(reading(k)));
    }

    private static String reading(char c) {
        try {
            String[] all = PinyinHelper.toHanyuPinyinStringArray(c, FORMAT);
            return all == null || all.length == 0 ? String.valueOf(c) : all[0];
        } catch (BadHanyuPinyinOutputFormatCombination e) {
            return String.valueOf(c);
        }
    }

    private static String fold(String py) {
        String s = py;
        if (s.startsWith("zh") || s.startsWith("ch") || s.startsWith("sh")) {
            s = s.charAt(0) + s.substring(2);
        } else if (s.startsWith("l")) {
            s = "n" + s.substring(1);
        } else if (s.startsWith("h")) {
            s = "f" + s.substring(1);
        }
        // Final nasal confusion (in/ing, en/eng, an/ang) is common in southern speech.
        if (s.endsWith("ng")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }
}
