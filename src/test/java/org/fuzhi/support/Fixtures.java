package org.fuzhi.support;

import org.fuzhi.common.IdNumber;

/** Test data helpers; every value is invented. */
public final class Fixtures {

    public static final String PASSWORD = "Fuzhi@2026";

    private Fixtures() {
    }

    /** A valid ID number for a test person: Beijing Xicheng prefix (not the demo county's), birth date, sequence. */
    public static String id(String birthYyyymmdd, int sequence) {
        String body = "110102" + birthYyyymmdd + String.format("%03d", sequence);
        return body + IdNumber.checkChar(body);
    }

    /** The same number with a wrong check character. */
    public static String badCheckDigit(String id) {
        char c = id.charAt(17);
        return id.substring(0, 17) + (c == '0' ? '1' : '0');
    }
}
