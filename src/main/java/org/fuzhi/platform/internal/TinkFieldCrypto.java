package org.fuzhi.platform.internal;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.prf.PrfSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Base64;
import org.fuzhi.platform.FieldCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** {@link FieldCrypto} with Tink (ADR 0011). */
@Component
class TinkFieldCrypto implements FieldCrypto {

    private static final Logger log = LoggerFactory.getLogger(TinkFieldCrypto.class);
    /** 14 bytes of HMAC give 112 bits; 18 base64url characters keep 108 of them, the width of the old columns. */
    private static final int INDEX_BYTES = 14;
    static final int INDEX_LENGTH = 18;

    private final Keyring keys;
    private final Aead aead;
    private final PrfSet prf;
    private final StreamingAead files;

    @Autowired
    TinkFieldCrypto(@Value("${FUZHI_KEYSET:}") String fromEnvironment,
                    @Value("${fuzhi.crypto.keyset-file:./data/fuzhi-keys.json}") String file,
                    @Value("${fuzhi.crypto.generate-missing:true}") boolean generateMissing) {
        this(load(fromEnvironment, Path.of(file), generateMissing));
    }

    TinkFieldCrypto(Keyring keys) {
        this.keys = keys;
        try {
            this.aead = keys.aead().getPrimitive(RegistryConfiguration.get(), Aead.class);
            this.prf = keys.index().getPrimitive(RegistryConfiguration.get(), PrfSet.class);
            this.files = keys.files().getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the key file holds keys of the wrong kind", e);
        }
    }

    Keyring keys() {
        return keys;
    }

    /**
     * The environment variable wins over the file. A missing file is generated only where that is allowed (the demo
     * and development; never under {@code prod}, where losing the keys would silently make a new, empty vault).
     */
    static Keyring load(String fromEnvironment, Path file, boolean generateMissing) {
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Keyring.parse(fromEnvironment);
        }
        try {
            if (Files.exists(file)) {
                return Keyring.parse(Files.readString(file));
            }
            if (!generateMissing) {
                throw new IllegalStateException("No encryption keys: set FUZHI_KEYSET or point fuzhi.crypto.keyset-file "
                        + "at the key file (" + file.toAbsolutePath() + " does not exist). A new one is made with "
                        + "`java -jar fuzhi.jar keys generate --out FILE`; keep it outside the database and back it up.");
            }
            Keyring generated = Keyring.generate();
            write(file, generated);
            log.warn("Generated new encryption keys in {} — without this file the ID numbers stored with it cannot be "
                    + "read: back it up, and keep it apart from the database.", file.toAbsolutePath());
            return generated;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the key file " + file, e);
        }
    }

    /** Written beside the target and moved over it, readable by the owner only. */
    static void write(Path file, Keyring keys) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".keys", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system (Windows): the folder's permissions decide
            }
            Files.writeString(tmp, keys.toJson());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String index(String value) {
        if (value == null) {
            return null;
        }
        try {
            byte[] mac = prf.computePrimary(value.getBytes(StandardCharsets.UTF_8), INDEX_BYTES);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac).substring(0, INDEX_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String seal(Kind kind, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Base64.getEncoder().encodeToString(
                    aead.encrypt(value.getBytes(StandardCharsets.UTF_8), kind.associatedData()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String open(Kind kind, String sealed) {
        if (sealed == null) {
            return null;
        }
        try {
            return new String(aead.decrypt(Base64.getDecoder().decode(sealed), kind.associatedData()),
                    StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("a sealed " + kind + " does not open with these keys", e);
        }
    }

    @Override
    public OutputStream sealing(OutputStream out, String name) throws IOException {
        try {
            return files.newEncryptingStream(out, name.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    @Override
    public InputStream opening(InputStream in, String name) throws IOException {
        try {
            return files.newDecryptingStream(in, name.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }
}
