package org.fuzhi.platform;

import java.time.LocalDate;
import java.util.Locale;
import java.util.regex.Pattern;
import org.fuzhi.common.IdNumber;
import org.fuzhi.common.Masking;

/**
 * 隐私规则 — the one place that decides, per role, what a user sees of a child and what they may search by. Pages,
 * API answers, exports and audit details all ask it; nobody compares role names for masking elsewhere.
 *
 * <ul>
 *   <li>Full names: the roles that work with the child in person — the aid center, the school clerks and the
 *       village and township cadres who verify the families of their area. Leaders, evaluators and donors see
 *       {@code 张*明}.</li>
 *   <li>Birth dates only for the roles that may unmask an ID: the masked ID {@code 4211**********123X} hides just the
 *       county digits and the birth date, so a birth date next to it is the full number.</li>
 *   <li>Full ID numbers: shown to nobody by default (always {@code 4211**********123X}); the center and the school
 *       clerks may unmask one at a time, which is audited.</li>
 *   <li>Searching by a full ID number or 学籍号 is unmasking by another name: only roles that may unmask do it, and it
 *       is audited. Searching by a name is open to the roles that see names. Every role may search by the masked
 *       forms it is shown ({@code 张*明}, {@code 4211**********123X}), by class and by the filters.</li>
 * </ul>
 */
public record Privacy(Role role) {

    public static Privacy of(CurrentUser user) {
        return new Privacy(user.role());
    }

    /** Whether names are shown in full. */
    public boolean fullNames() {
        return switch (role) {
            case CENTER, SCHOOL_OPERATOR, SCHOOL_REVIEWER, VILLAGE, TOWNSHIP -> true;
            default -> false;
        };
    }

    /** Whether this role may reveal one full ID number (an audited act). */
    public boolean mayUnmaskId() {
        return role.mayUnmask();
    }

    public String name(String name) {
        return fullNames() ? name : Masking.name(name);
    }

    /** Whether birth dates are shown (only where the full ID could be shown anyway). */
    public boolean birthDates() {
        return mayUnmaskId();
    }

    public LocalDate birthDate(LocalDate date) {
        return birthDates() ? date : null;
    }

    // ------------------------------------------------------------------ search

    /** How a search box's text is read. */
    public enum SearchKind {
        /** Nothing typed. */
        NONE,
        /** A valid ID number (any typed form): exact match, for roles that may unmask. */
        ID_NUMBER,
        /** A 学籍号 such as G421182…: exact match, for roles that may unmask. */
        STUDENT_NO,
        /** The masked ID form shown in lists: first and last four characters. */
        MASKED_ID,
        /** The masked name form shown in lists: first and last character and the length. */
        MASKED_NAME,
        /** A name (or its beginning) or a class: for roles that see names. */
        NAME,
        /** A class such as 3(2)班, matched exactly: for every role. */
        CLASS,
        /** Something this role may not search by; finds nothing and is audited. */
        REFUSED
    }

    /**
     * @param kind   how the text was read
     * @param value  the normalised value to match (an ID number, a student number, a name prefix or class)
     * @param first  for the masked forms: what must stand at the start
     * @param last   for the masked forms: what must stand at the end
     * @param length for the masked forms: the length in characters
     */
    public record Search(SearchKind kind, String value, String first, String last, int length) {

        /** Whether the search is an unmasking act or an attempt at one, to be audited. */
        public boolean audited() {
            return kind == SearchKind.ID_NUMBER || kind == SearchKind.STUDENT_NO || kind == SearchKind.REFUSED;
        }

        /** What the audit log may keep of the search: its kind, never the searched value. */
        public String auditKind() {
            return kind.name();
        }
    }

    private static final Pattern MASKED_ID = Pattern.compile("([0-9]{4})\\*{6,12}([0-9]{3}[0-9X])");
    private static final Pattern STUDENT_NO = Pattern.compile("[GJL][0-9]{17}[0-9X]");
    private static final Pattern MANY_DIGITS = Pattern.compile("(?:\\D*[0-9]){6}.*");

    /** Reads a search box's text for this role. */
    public Search search(String raw) {
        if (raw == null || raw.isBlank()) {
            return new Search(SearchKind.NONE, null, null, null, 0);
        }
        String text = halfWidth(raw.strip());
        var masked = MASKED_ID.matcher(text);
        if (masked.matches()) {
            return new Search(SearchKind.MASKED_ID, null, masked.group(1), masked.group(2), text.length());
        }
        int n = text.codePointCount(0, text.length());
        if (text.contains("*") && !text.startsWith("*") && n >= 2 && !MANY_DIGITS.matcher(text).matches()) {
            String first = text.substring(0, text.offsetByCodePoints(0, 1));
            String last = text.substring(text.offsetByCodePoints(0, n - 1));
            return new Search(SearchKind.MASKED_NAME, null, first, last.equals("*") ? "" : last, n);
        }
        var id = IdNumber.tryParse(text);
        if (id.isPresent()) {
            return mayUnmaskId() ? new Search(SearchKind.ID_NUMBER, id.get().value(), null, null, 0) : refused();
        }
        String upper = text.toUpperCase(Locale.ROOT).replace(" ", "");
        if (STUDENT_NO.matcher(upper).matches()) {
            return mayUnmaskId() ? new Search(SearchKind.STUDENT_NO, upper, null, null, 0) : refused();
        }
        if (fullNames()) {
            return new Search(SearchKind.NAME, text, null, null, 0);
        }
        return text.endsWith("班") ? new Search(SearchKind.CLASS, text, null, null, 0) : refused();
    }

    private static Search refused() {
        return new Search(SearchKind.REFUSED, null, null, null, 0);
    }

    private static String halfWidth(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (c >= 0xFF10 && c <= 0xFF19) {
                sb.append((char) ('0' + (c - 0xFF10)));
            } else if (c == 0xFF0A) {
                sb.append('*');
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }

    /** A LIKE pattern that matches {@code text} literally: {@code %} and {@code _} typed by a user are not wildcards. */
    public static String literalLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
