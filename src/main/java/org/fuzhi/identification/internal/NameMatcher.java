package org.fuzhi.identification.internal;

import java.util.Map;
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

    enum Agreement { EXACT, HOMOPHONE, SIMILAR, DIFFERENT }

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
        if (a.length() == b.length() && soundKey(a).equals(soundKey(b))) {
            return Agreement.HOMOPHONE;
        }
        if (a.length() == b.length() && a.length() >= 2) {
            int differing = 0;
            for (int i = 0; i < a.length(); i++) {
                if (a.charAt(i) != b.charAt(i)) {
                    differing++;
                }
            }
            if (differing == 1) {
                return Agreement.SIMILAR;
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
    private static final java.util.concurrent.ConcurrentHashMap<Character, String> FOLDED =
            new java.util.concurrent.ConcurrentHashMap<>();

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
