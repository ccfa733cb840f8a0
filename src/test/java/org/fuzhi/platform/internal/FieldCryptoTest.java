package org.fuzhi.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.fuzhi.platform.FieldCrypto.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules of sealing and indexing (ADR 0011), without a database. */
class FieldCryptoTest {

    private static final String ID = "42118220150304001X";

    @TempDir
    Path dir;

    @Test
    void theBlindIndexIsStableKeyedAndFitsTheOldColumn() {
        TinkFieldCrypto a = new TinkFieldCrypto(Keyring.generate());
        TinkFieldCrypto b = new TinkFieldCrypto(Keyring.generate());
        assertThat(a.index(ID)).hasSize(18).isEqualTo(a.index(ID)).doesNotContain("4211");
        // Another key gives another index: without the key file nobody can index candidate numbers to find a child.
        assertThat(b.index(ID)).isNotEqualTo(a.index(ID));
        assertThat(a.index("421182201503040028")).isNotEqualTo(a.index(ID));
        assertThat(a.index(null)).isNull();
    }

    @Test
    void aSealedValueOpensOnlyWithItsKeysAndAsItsOwnKind() {
        TinkFieldCrypto a = new TinkFieldCrypto(Keyring.generate());
        String sealed = a.seal(Kind.ID_NUMBER, ID);
        assertThat(sealed).doesNotContain(ID).doesNotContain(ID.substring(6, 14));
        // Each sealing is fresh (a random nonce): equal numbers don't show as equal ciphertexts.
        assertThat(a.seal(Kind.ID_NUMBER, ID)).isNotEqualTo(sealed);
        assertThat(a.open(Kind.ID_NUMBER, sealed)).isEqualTo(ID);
        assertThatThrownBy(() -> a.open(Kind.STUDENT_NO, sealed)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new TinkFieldCrypto(Keyring.generate()).open(Kind.ID_NUMBER, sealed))
                .isInstanceOf(IllegalStateException.class);
        assertThat(a.lazy(Kind.ID_NUMBER, sealed).reveal()).isEqualTo(ID);
        assertThat(a.lazy(Kind.ID_NUMBER, sealed).toString()).doesNotContain(ID);
    }

    @Test
    void filesAreSealedAsStreamsBoundToTheirName() throws Exception {
        TinkFieldCrypto a = new TinkFieldCrypto(Keyring.generate());
        byte[] csv = ("姓名,身份证号\n测试甲," + ID + "\n").repeat(50_000).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var s = a.sealing(out, "import:1/original")) {
            s.write(csv);
        }
        assertThat(new String(out.toByteArray(), StandardCharsets.ISO_8859_1)).doesNotContain(ID);
        try (var in = a.opening(new ByteArrayInputStream(out.toByteArray()), "import:1/original")) {
            assertThat(in.readAllBytes()).isEqualTo(csv);
        }
        assertThatThrownBy(() -> {
            try (var in = a.opening(new ByteArrayInputStream(out.toByteArray()), "import:2/original")) {
                in.readAllBytes();
            }
        }).isInstanceOf(IOException.class);
    }

    @Test
    void productionWithoutKeysStopsWithAMessageSayingWhatToDo() {
        Path missing = dir.resolve("none.json");
        assertThatThrownBy(() -> TinkFieldCrypto.load("", missing, false)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FUZHI_KEYSET").hasMessageContaining("fuzhi.crypto.keyset-file")
                .hasMessageContaining("keys generate");
        assertThat(missing).doesNotExist();
    }

    @Test
    void theDemoMakesItsKeysOnceAndTheEnvironmentVariableWins() throws Exception {
        Path file = dir.resolve("keys.json");
        Keyring made = TinkFieldCrypto.load(null, file, true);
        assertThat(file).exists();
        String text = Files.readString(file);
        assertThat(new TinkFieldCrypto(TinkFieldCrypto.load(null, file, true)).index(ID))
                .isEqualTo(new TinkFieldCrypto(made).index(ID));
        // The same keys given base64-encoded in FUZHI_KEYSET, with the file absent.
        String env = Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        assertThat(new TinkFieldCrypto(TinkFieldCrypto.load(env, dir.resolve("absent.json"), false)).index(ID))
                .isEqualTo(new TinkFieldCrypto(made).index(ID));
        assertThatThrownBy(() -> TinkFieldCrypto.load("{\"format\":\"other\"}", file, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fuzhi-keys/1");
        assertThatThrownBy(() -> KeysCommand.generate(file)).hasMessageContaining("never overwritten");
    }

    @Test
    void rotationKeepsOldValuesReadableUntilTheOldKeysGo() {
        Keyring old = Keyring.generate();
        String sealed = new TinkFieldCrypto(old).seal(Kind.RAW_ID, ID);
        Keyring both = old.withNewPrimaries();
        TinkFieldCrypto during = new TinkFieldCrypto(both);
        assertThat(during.open(Kind.RAW_ID, sealed)).isEqualTo(ID);
        String resealed = during.seal(Kind.RAW_ID, ID);
        TinkFieldCrypto after = new TinkFieldCrypto(both.primariesOnly());
        assertThat(after.open(Kind.RAW_ID, resealed)).isEqualTo(ID);
        assertThatThrownBy(() -> after.open(Kind.RAW_ID, sealed)).isInstanceOf(IllegalStateException.class);
        assertThat(after.index(ID)).isEqualTo(during.index(ID)).isNotEqualTo(new TinkFieldCrypto(old).index(ID));
        assertThat(both.primariesOnly().aead().size()).isEqualTo(1);
    }
}
