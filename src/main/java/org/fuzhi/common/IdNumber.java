package org.fuzhi.common;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * 身份证号 — a resident identity number under GB 11643-1999.
 *
 * <p>Always held in its normalised 18-character form with an upper-case check character. Legacy
 * 15-digit numbers and 20-digit disability-card numbers (ID + category + grade) are accepted and
 * reduced to the 18-character ID, because poverty and civil-affairs lists still carry them.
 */
public record IdNumber(String value) {

    private static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final String CHECK_CHARS = "10X98765432";

    public IdNumber {
        Problem p = problemOf(value);
        if (p != null) {
            throw new IllegalArgumentException(p.name());
        }
    }

    /** Why a raw value is not an ID number; each constant maps to a message key {@code id.problem.*}. */
    public enum Problem { EMPTY, LENGTH, CHARACTERS, BIRTH_DATE, CHECK_DIGIT }

    /** The result of normalising user input: either a valid number or the rule it breaks. */
    public record Parsed(IdNumber id, Problem problem) {
        public boolean valid() { return id != null; }
    }

    /**
     * Normalises full-width digits, spaces, a lower-case x and the letter O typed for a zero, converts 15 → 18 and
     * 20 → 18, then validates (the check digit still has to hold, so a normalised typo is never accepted).
     */
    public static Parsed parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return new Parsed(null, Problem.EMPTY);
        }
        StringBuilder sb = new StringBuilder(20);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= '０' && c <= '９') {
                c = (char) (c - '０' + '0');
            } else if (c == 'ｘ' || c == 'Ｘ' || c == 'x') {
                c = 'X';
            } else if (c == 'O' || c == 'o' || c == 'Ｏ' || c == 'ｏ') {
                c = '0';
            } else if (Character.isWhitespace(c) || c == '\u3000' || c == '\'') {
                continue;
            }
            sb.append(c);
        }
        String s = sb.toString();
        if (s.length() == 20 && s.substring(0, 18).chars().limit(17).allMatch(Character::isDigit)) {
            s = s.substring(0, 18);
        } else if (s.length() == 15) {
            if (!s.chars().allMatch(Character::isDigit)) {
                return new Parsed(null, Problem.CHARACTERS);
            }
            String body = s.substring(0, 6) + "19" + s.substring(6);
            s = body + checkChar(body);
        }
        Problem p = problemOf(s);
        return p == null ? new Parsed(new IdNumber(s), null) : new Parsed(null, p);
    }

    private static final Pattern SCIENTIFIC =
            Pattern.compile("\\s*[0-9](\\.[0-9]+)?[eE]\\+?[0-9]{1,2}\\s*");

    /**
     * A number Excel has damaged: shown in scientific notation ({@code 4.21182E+17}), or cut to 15 significant
     * digits so that it ends in {@code 000} and fails its check digit. Such a cell says nothing reliable about the
     * person beyond the birth date its digits may still hold, so it is treated as missing.
     */
    public static boolean excelDamaged(String raw) {
        if (raw == null) {
            return false;
        }
        if (SCIENTIFIC.matcher(raw).matches()) {
            return true;
        }
        String s = raw.strip();
        return s.length() == 18 && s.endsWith("000") && s.chars().allMatch(Character::isDigit) && !parse(s).valid();
    }

    public static Optional<IdNumber> tryParse(String raw) {
        return Optional.ofNullable(parse(raw).id());
    }

    static Problem problemOf(String s) {
        if (s == null || s.isEmpty()) {
            return Problem.EMPTY;
        }
        if (s.length() != 18) {
            return Problem.LENGTH;
        }
        for (int i = 0; i < 17; i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return Problem.CHARACTERS;
            }
        }
        char last = s.charAt(17);
        if (!Character.isDigit(last) && last != 'X') {
            return Problem.CHARACTERS;
        }
        if (birthDateOf(s) == null) {
            return Problem.BIRTH_DATE;
        }
        if (checkChar(s.substring(0, 17)) != last) {
            return Problem.CHECK_DIGIT;
        }
        return null;
    }

    /** The GB 11643 check character for the first 17 digits. */
    public static char checkChar(String first17) {
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (first17.charAt(i) - '0') * WEIGHTS[i];
        }
        return CHECK_CHARS.charAt(sum % 11);
    }

    private static LocalDate birthDateOf(String s) {
        try {
            LocalDate d = LocalDate.of(Integer.parseInt(s.substring(6, 10)),
                    Integer.parseInt(s.substring(10, 12)), Integer.parseInt(s.substring(12, 14)));
            return d.getYear() < 1900 || d.isAfter(LocalDate.now().plusDays(1)) ? null : d;
        } catch (DateTimeException | NumberFormatException e) {
            return null;
        }
    }

    public LocalDate birthDate() {
        return birthDateOf(value);
    }

    /** Odd sequence digit = male. */
    public Gender gender() {
        return (value.charAt(16) - '0') % 2 == 1 ? Gender.M : Gender.F;
    }

    public String masked() {
        return Masking.idNumber(value);
    }

    /** Keeps the raw number out of logs and exception messages. */
    @Override
    public String toString() {
        return masked();
    }

    /**
     * The birth date a mistyped ID number still usually holds in digits 7–14 (the roster import and the bulk
     * loaders read it alike); null where there is none.
     */
    public static LocalDate birthDateIn(String raw) {
        String digits = raw.replaceAll("[^0-9]", "");
        if (digits.length() < 14) {
            return null;
        }
        try {
            String d = digits.length() == 15 ? "19" + digits.substring(6, 12) : digits.substring(6, 14);
            LocalDate date = LocalDate.of(Integer.parseInt(d.substring(0, 4)), Integer.parseInt(d.substring(4, 6)),
                    Integer.parseInt(d.substring(6, 8)));
            // A mistyped year (0215, 2105) is no birth date; linkage then tries the digits' transpositions.
            return date.getYear() < 1900 || date.isAfter(LocalDate.now()) ? null : date;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
