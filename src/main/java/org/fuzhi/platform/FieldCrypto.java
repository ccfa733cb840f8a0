package org.fuzhi.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Encryption at rest of what identifies a child (ADR 0011): ID numbers as written and normalised, 学籍号 (the
 * G-form embeds the ID), later bank accounts, and uploaded files. Keys live outside the database.
 * <p>
 * A sensitive value is stored three ways: its keyed <b>blind index</b> ({@link #index}, 18 characters, so it fits
 * the {@code CHAR(18)} columns the clear numbers used to occupy) for equality — uniqueness, exact look-up, the
 * roster ⋈ registry join; its <b>sealed</b> form ({@link #seal}, authenticated encryption bound to the kind of
 * value) for the few reads that need the number itself (an unmasked export, the linkage comparing a candidate's
 * digits); and its masked form for lists and the masked-form search.
 */
public interface FieldCrypto {

    /** What a sealed value is: bound into the ciphertext, so one kind of value can't be passed off as another. */
    enum Kind {
        /** A normalised 18-character ID number. */
        ID_NUMBER,
        /** An ID number as written in an uploaded list, typos and all. */
        RAW_ID,
        /** A 学籍号. */
        STUDENT_NO,
        /** A bank or social-security card number (the aid module). */
        BANK_ACCOUNT,
        /** A temporary password on its way to the page that shows it once (it crosses the session store sealed). */
        TEMPORARY_PASSWORD;

        public byte[] associatedData() {
            return ("fuzhi:" + name()).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The keyed blind index of a value (HMAC-SHA256, 108 bits as 18 base64url characters); null for null. */
    String index(String value);

    /** The value encrypted (AES-256-GCM with the primary key) as base64 text; null for null. */
    String seal(Kind kind, String value);

    /** The clear value of a sealed one; null for null. Fails loudly on a ciphertext these keys did not make. */
    String open(Kind kind, String sealed);

    /** A sealed value opened only if and when it is read: a linkage run reads millions and compares a few. */
    default Sealed lazy(Kind kind, String sealed) {
        return sealed == null ? null : Sealed.lazy(() -> open(kind, sealed));
    }

    /** Encrypts a stream (uploaded originals, files kept for later); {@code name} binds it to its place. */
    OutputStream sealing(OutputStream out, String name) throws IOException;

    /** Reads a stream written by {@link #sealing} with the same name. */
    InputStream opening(InputStream in, String name) throws IOException;
}
