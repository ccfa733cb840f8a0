package org.fuzhi.identification.internal;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.fuzhi.common.IdNumber;
import org.fuzhi.identification.Linkage;
import org.fuzhi.registry.Registry.PersonRef;

/**
 * Fellegi–Sunter comparison of a roster member with a registry person. Each field's agreement level adds
 * log2(m/u): m is how often true matches show that level, u how often non-matches in the same block do.
 * The m/u values ({@link MatchWeights}) start from typical roster error rates (about 2% homophone names and
 * 3% mistyped ID digits) and are re-estimated from each run's candidate pairs.
 */
final class Scoring {

    private Scoring() {
    }

    record Scored(PersonRef person, double weight, String evidence) {
    }

    /**
     * How a member and a person compare, field by field: the level each field's weight is looked up by, and the
     * finer level shown as evidence (an ID near miss says which kind). Fields missing on either side are absent.
     */
    record Comparison(Map<String, String> levels, Map<String, String> detail) {
    }

    static Comparison compare(Linker.Member m, PersonRef p) {
        Map<String, String> levels = new LinkedHashMap<>();
        Map<String, String> detail = new LinkedHashMap<>();
        // ID: a near miss (one digit, a swap, the check digit) is strong evidence; a different ID is weak
        // evidence against, because roster IDs are often someone else's (a parent's) or mistyped at random.
        // A number Excel damaged (scientific notation, 15 significant digits) says nothing: the field is left out.
        if (m.raw() != null && IdNumber.excelDamaged(m.raw())) {
            detail.put("id", "EXCEL_DAMAGED");
        } else {
            String digits = idDigits(m.raw());
            if (digits.length() == 18) {
                String idLevel = idAgreement(digits, p.idNumber());
                levels.put("id", idLevel.equals("DIFFERENT") ? "DIFFERENT" : "NEAR");
                detail.put("id", idLevel);
            }
        }
        String name = NameMatcher.compare(m.name(), p.name()).name();
        levels.put("name", name);
        detail.put("name", name);
        String birth = birthAgreement(m, p.birthDate());
        if (birth != null) {
            levels.put("birth", birth);
            detail.put("birth", birth);
        }
        // The roster's own gender column speaks for the line; the ID's digit may be a relative's.
        String gender = m.statedGender() != null ? m.statedGender() : m.gender();
        if (gender != null) {
            String g = gender.equals(p.gender().name()) ? "AGREE" : "DIFFERENT";
            levels.put("gender", g);
            detail.put("gender", g);
        }
        if (m.village() != null && p.villageCode() != null) {
            String level = m.village().equals(p.villageCode()) ? "SAME"
                    : m.village().regionMatches(0, p.villageCode(), 0, 9) ? "TOWNSHIP" : "DIFFERENT";
            levels.put("village", level);
            detail.put("village", level);
        }
        // The 户编号 comes from the same poverty database on both sides: the same household is strong evidence (a
        // child found there under a misheard name), another one weak evidence against (families re-registered).
        if (m.householdNo() != null && p.householdNo() != null) {
            String level = m.householdNo().strip().equals(p.householdNo().strip()) ? "SAME_HOUSEHOLD" : "DIFFERENT";
            levels.put("household", level);
            detail.put("household", level);
        }
        return new Comparison(levels, detail);
    }

    /** The ID's characters as a clerk meant them: digits, X, and the letter O typed for a zero. */
    static String idDigits(String raw) {
        if (raw == null) {
            return "";
        }
        return raw.replace('O', '0').replace('o', '0').replaceAll("[^0-9Xx]", "").toUpperCase(Locale.ROOT);
    }

    /**
     * The member's birth dates (from the ID's digits and from the roster's column) against the person's: EXACT if
     * either is the person's, VARIANT if either is a usual mistyping of it or a few days off, FAR if every date is
     * a decade or more away (another generation), else DIFFERENT; null when the line has no date.
     */
    static String birthAgreement(Linker.Member m, LocalDate person) {
        List<LocalDate> dates = new ArrayList<>(2);
        if (m.birth() != null) {
            dates.add(m.birth());
        }
        if (m.statedBirth() != null && !m.statedBirth().equals(m.birth())) {
            dates.add(m.statedBirth());
        }
        if (dates.isEmpty()) {
            return null;
        }
        if (dates.contains(person)) {
            return "EXACT";
        }
        for (LocalDate d : dates) {
            if (blockingDates(d).contains(person) || Math.abs(d.toEpochDay() - person.toEpochDay()) <= 3) {
                return "VARIANT";
            }
        }
        boolean far = dates.stream().allMatch(d -> Math.abs(d.getYear() - person.getYear()) >= 10);
        return far ? "FAR" : "DIFFERENT";
    }

    static Scored score(Linker.Member m, PersonRef p) {
        return score(m, p, MatchWeights.DEFAULT);
    }

    static Scored score(Linker.Member m, PersonRef p, MatchWeights weights) {
        Comparison c = compare(m, p);
        StringBuilder ev = new StringBuilder();
        double total = 0;
        for (var e : c.levels().entrySet()) {
            double wt = weights.weight(e.getKey(), e.getValue());
            total += wt;
            append(ev, e.getKey(), c.detail().get(e.getKey()), wt);
        }
        return new Scored(p, total, ev.toString());
    }

    /** CHECK_DIGIT (only the 18th differs), ONE_DIGIT, SWAPPED (adjacent transposition) or DIFFERENT. */
    static String idAgreement(String a, String b) {
        if (b == null || a.length() != b.length()) {
            return "DIFFERENT";
        }
        List<Integer> diff = new ArrayList<>();
        for (int i = 0; i < a.length(); i++) {
            if (a.charAt(i) != b.charAt(i)) {
                diff.add(i);
            }
        }
        if (diff.isEmpty()) {
            return "EXACT";
        }
        if (diff.size() == 1) {
            return diff.get(0) == 17 ? "CHECK_DIGIT" : "ONE_DIGIT";
        }
        if (diff.size() == 2 && diff.get(1) == diff.get(0) + 1 && a.charAt(diff.get(0)) == b.charAt(diff.get(1))
                && a.charAt(diff.get(1)) == b.charAt(diff.get(0))) {
            return "SWAPPED";
        }
        // A changed digit also changes the check digit.
        if (diff.size() == 2 && diff.get(1) == 17) {
            return "ONE_DIGIT";
        }
        if (diff.size() == 3 && diff.get(2) == 17 && diff.get(1) == diff.get(0) + 1
                && a.charAt(diff.get(0)) == b.charAt(diff.get(1)) && a.charAt(diff.get(1)) == b.charAt(diff.get(0))) {
            return "SWAPPED";
        }
        return "DIFFERENT";
    }

    /**
     * Blocking: the recorded birth date and its usual mistypings — day and month swapped, adjacent digits
     * transposed — so a typo in the birth-date part of an ID still meets its person.
     */
    static Set<LocalDate> blockingDates(LocalDate birth) {
        Set<LocalDate> out = new LinkedHashSet<>();
        if (birth == null) {
            return out;
        }
        out.add(birth);
        tryAdd(out, birth.getYear(), birth.getDayOfMonth(), birth.getMonthValue());
        transpositions(String.format("%04d%02d%02d", birth.getYear(), birth.getMonthValue(), birth.getDayOfMonth()), out);
        return out;
    }

    /**
     * When the roster has no readable birth date (a swapped digit made it impossible, e.g. month 31), the
     * transpositions of the ID's birth-date digits are the candidates.
     */
    static Set<LocalDate> blockingDates(LocalDate birth, String rawId) {
        if (birth != null) {
            return blockingDates(birth);
        }
        Set<LocalDate> out = new LinkedHashSet<>();
        String digits = rawId == null ? "" : rawId.replaceAll("[^0-9]", "");
        if (digits.length() >= 14) {
            transpositions(digits.substring(6, 14), out);
        }
        return out;
    }

    /** A member's blocking dates: those of the ID's digits and those of the roster's own birth-date column. */
    static Set<LocalDate> blockingDates(Linker.Member m) {
        Set<LocalDate> out = blockingDates(m.birth(), m.raw());
        if (m.statedBirth() != null && !m.statedBirth().equals(m.birth())) {
            out.addAll(blockingDates(m.statedBirth()));
        }
        return out;
    }

    private static void transpositions(String s, Set<LocalDate> out) {
        for (int i = 0; i + 1 < s.length(); i++) {
            char[] c = s.toCharArray();
            char t = c[i];
            c[i] = c[i + 1];
            c[i + 1] = t;
            String v = new String(c);
            tryAdd(out, Integer.parseInt(v.substring(0, 4)), Integer.parseInt(v.substring(4, 6)),
                    Integer.parseInt(v.substring(6, 8)));
        }
    }

    private static void tryAdd(Set<LocalDate> out, int y, int m, int d) {
        try {
            LocalDate date = LocalDate.of(y, m, d);
            if (y > 1900 && !date.isAfter(LocalDate.now())) {
                out.add(date);
            }
        } catch (DateTimeException ignored) {
            // not a date: no such mistyping
        }
    }

    private static void append(StringBuilder sb, String field, String level, double weight) {
        if (!sb.isEmpty()) {
            sb.append(';');
        }
        sb.append(field).append('=').append(level).append(':').append(String.format(Locale.ROOT, "%+.1f", weight));
    }

    static List<Linkage.Evidence> parseEvidence(String s) {
        List<Linkage.Evidence> out = new ArrayList<>();
        if (s == null) {
            return out;
        }
        for (String part : s.split(";")) {
            int eq = part.indexOf('=');
            int colon = part.lastIndexOf(':');
            if (eq > 0 && colon > eq) {
                out.add(new Linkage.Evidence(part.substring(0, eq), part.substring(eq + 1, colon),
                        Double.parseDouble(part.substring(colon + 1))));
            }
        }
        return out;
    }
}
