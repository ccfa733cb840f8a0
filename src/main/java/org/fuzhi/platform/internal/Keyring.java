package org.fuzhi.platform.internal;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Parameters;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.prf.PredefinedPrfParameters;
import com.google.crypto.tink.prf.PrfConfig;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Fuzhi's keys: three Tink keysets in one JSON document — {@code aead} (AES-256-GCM, sealed values), {@code index}
 * (HMAC-SHA256 PRF, blind indexes) and {@code files} (AES-256-GCM-HKDF streaming, stored files). Kept in a file or
 * in the {@code FUZHI_KEYSET} environment variable, never in the database (ADR 0011). The document is secret: it
 * holds the keys in clear, as a mounted secret does.
 */
record Keyring(KeysetHandle aead, KeysetHandle index, KeysetHandle files) {

    static final String FORMAT = "fuzhi-keys/1";

    static {
        try {
            AeadConfig.register();
            PrfConfig.register();
            StreamingAeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static Keyring generate() {
        try {
            return new Keyring(KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM),
                    KeysetHandle.generateNew(PredefinedPrfParameters.HMAC_SHA256_PRF),
                    KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not generate keys", e);
        }
    }

    /** Reads the JSON document, or the same base64-encoded (an environment variable holds one line more easily). */
    static Keyring parse(String text) {
        String json = text.strip();
        if (!json.startsWith("{")) {
            json = new String(Base64.getMimeDecoder().decode(json), StandardCharsets.UTF_8);
        }
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            if (!o.has("format") || !FORMAT.equals(o.get("format").getAsString())) {
                throw new IllegalArgumentException("not a Fuzhi key file (format " + FORMAT + " expected)");
            }
            return new Keyring(read(o, "aead"), read(o, "index"), read(o, "files"));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("unreadable key file: " + e.getMessage(), e);
        }
    }

    private static KeysetHandle read(JsonObject o, String name) throws GeneralSecurityException {
        if (!o.has(name)) {
            throw new IllegalArgumentException("key file has no \"" + name + "\" keyset");
        }
        return TinkJsonProtoKeysetFormat.parseKeyset(o.get(name).toString(), InsecureSecretKeyAccess.get());
    }

    String toJson() {
        try {
            JsonObject o = new JsonObject();
            o.addProperty("format", FORMAT);
            o.add("aead", JsonParser.parseString(
                    TinkJsonProtoKeysetFormat.serializeKeyset(aead, InsecureSecretKeyAccess.get())));
            o.add("index", JsonParser.parseString(
                    TinkJsonProtoKeysetFormat.serializeKeyset(index, InsecureSecretKeyAccess.get())));
            o.add("files", JsonParser.parseString(
                    TinkJsonProtoKeysetFormat.serializeKeyset(files, InsecureSecretKeyAccess.get())));
            return new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A new primary key in each keyset, the old ones kept so that what they sealed can still be opened while it is
     * re-sealed.
     */
    Keyring withNewPrimaries() {
        try {
            return new Keyring(addPrimary(aead, PredefinedAeadParameters.AES256_GCM),
                    addPrimary(index, PredefinedPrfParameters.HMAC_SHA256_PRF),
                    addPrimary(files, PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeysetHandle addPrimary(KeysetHandle handle, Parameters parameters) throws GeneralSecurityException {
        return KeysetHandle.newBuilder(handle)
                .addEntry(KeysetHandle.generateEntryFromParameters(parameters).withRandomId().makePrimary()).build();
    }

    /** Only the primary key of each keyset: after every value has been re-sealed, the old keys are destroyed. */
    Keyring primariesOnly() {
        try {
            return new Keyring(primaryOnly(aead), primaryOnly(index), primaryOnly(files));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeysetHandle primaryOnly(KeysetHandle handle) throws GeneralSecurityException {
        KeysetHandle.Builder b = KeysetHandle.newBuilder(handle);
        for (int i = b.size() - 1; i >= 0; i--) {
            if (!b.getAt(i).isPrimary()) {
                b.deleteAt(i);
            }
        }
        return b.build();
    }

    /** Key IDs of the primaries, for the rotation's report (IDs, not keys). */
    String describe() {
        return "aead " + Integer.toUnsignedString(aead.getPrimary().getId()) + " (" + aead.size() + " keys), index "
                + Integer.toUnsignedString(index.getPrimary().getId()) + " (" + index.size() + "), files "
                + Integer.toUnsignedString(files.getPrimary().getId()) + " (" + files.size() + ")";
    }
}
