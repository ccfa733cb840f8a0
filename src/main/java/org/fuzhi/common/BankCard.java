package org.fuzhi.common;

/**
 * A bank card or 社保卡 account number as a payee account: digits only, 12–19 of them; bank cards (16–19 digits)
 * carry the Luhn check digit (ISO/IEC 7812), so a mistyped digit or a swap of two neighbours is caught on entry.
 */
public final class BankCard {

    private BankCard() {
    }

    /** The number without spaces or dashes; null when it holds anything else. */
    public static String normalise(String typed) {
        if (typed == null) {
            return null;
        }
        String digits = typed.replaceAll("[\\s-]", "");
        return digits.matches("\\d{12,19}") ? digits : null;
    }

    /** Whether the last digit is the Luhn check digit of the others. */
    public static boolean luhnValid(String digits) {
        int sum = 0;
        boolean twice = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    /** "6217 **** **** 1234": the first four and last four digits. */
    public static String mask(String digits) {
        return digits.substring(0, 4) + " **** **** " + digits.substring(digits.length() - 4);
    }
}
