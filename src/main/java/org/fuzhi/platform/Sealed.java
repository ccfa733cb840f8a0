package org.fuzhi.platform;

import java.util.function.Supplier;

/**
 * A sensitive value that is decrypted the first time it is read, and then kept. Its {@code toString} never shows
 * it, so a record holding one can be logged.
 */
public final class Sealed {

    private Supplier<String> opener;
    private String value;

    private Sealed(Supplier<String> opener, String value) {
        this.opener = opener;
        this.value = value;
    }

    static Sealed lazy(Supplier<String> opener) {
        return new Sealed(opener, null);
    }

    /** A value already in clear (a file being imported, a test): nothing to decrypt. */
    public static Sealed clear(String value) {
        return value == null ? null : new Sealed(null, value);
    }

    /** The clear value (decrypted on the first call). */
    public String reveal() {
        Supplier<String> o = opener;
        if (o != null) {
            value = o.get();
            opener = null;
        }
        return value;
    }

    @Override
    public String toString() {
        return "Sealed[***]";
    }
}
