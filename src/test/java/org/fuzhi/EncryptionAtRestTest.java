package org.fuzhi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.FieldCrypto.Kind;
import org.fuzhi.platform.KeyCommands;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Encryption at rest (issue 9 point 5, ADR 0011) on an H2 file database, read as an attacker with the files would
 * read it: after both demo counties are loaded through the imports, no ID number of any person or roster line is
 * in the database file's bytes or in the stored uploads — while names (not sealed) are, which shows the scan reads
 * the file as stored. Then the keys are rotated with the command an operator runs, and the data is found with the
 * new keys and refused with the old ones.
 */
class EncryptionAtRestTest {

    private final Path dir = Path.of("target/at-rest/" + UUID.randomUUID());

    private String[] args(Path keys) {
        return new String[]{
                "--spring.datasource.url=jdbc:h2:file:" + dir.toAbsolutePath() + "/fuzhi;MODE=PostgreSQL;"
                        + "DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH",
                "--fuzhi.crypto.keyset-file=" + keys, "--fuzhi.storage.dir=" + dir.resolve("files"),
                "--fuzhi.audit.checkpoint-file=" + dir.resolve("checkpoint.log"), "--server.port=0",
                "--spring.main.banner-mode=off"};
    }

    private ConfigurableApplicationContext start(Path keys, boolean demo) {
        SpringApplication app = new SpringApplication(FuzhiApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        List<String> a = new ArrayList<>(List.of(args(keys)));
        a.add("--fuzhi.demo.load=" + demo);
        return app.run(a.toArray(String[]::new));
    }

    @Test
    void noIdNumberIsInTheDatabaseFileOrTheUploadsAndRotatedKeysStillFindEveryone() throws Exception {
        Path keys = dir.resolve("keys/fuzhi-keys.json");
        Set<String> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        String someId;
        try (var ctx = start(keys, true)) {
            JdbcClient jdbc = ctx.getBean(JdbcClient.class);
            FieldCrypto crypto = ctx.getBean(FieldCrypto.class);
            jdbc.sql("SELECT s.id_sealed, p.name FROM person p JOIN person_sealed s ON s.person_id = p.id").query(rs -> {
                ids.add(crypto.open(Kind.ID_NUMBER, rs.getString(1)));
                names.add(rs.getString(2));
            });
            jdbc.sql("SELECT id_raw_sealed FROM roster_member").query(rs -> {
                String raw = crypto.open(Kind.RAW_ID, rs.getString(1)).replaceAll("[^0-9Xx]", "");
                if (raw.length() >= 15) {
                    ids.add(raw);
                }
            });
            someId = jdbc.sql("SELECT id_sealed FROM person_sealed ORDER BY person_id LIMIT 1").query(String.class).list().stream()
                    .map(s -> crypto.open(Kind.ID_NUMBER, s)).findFirst().orElseThrow();
            jdbc.sql("CHECKPOINT SYNC").update();
        }
        assertThat(ids).hasSizeGreaterThan(50_000);
        byte[] db = Files.readAllBytes(dir.resolve("fuzhi.mv.db"));
        // The scan must be able to see: names are stored in clear, in H2's own encoding of characters.
        String file = new String(db, StandardCharsets.ISO_8859_1);
        long namesSeen = names.stream().limit(50).filter(n -> file.contains(h2Chars(n))).count();
        assertThat(namesSeen).isGreaterThan(40);
        assertThat(idsIn(db, ids)).as("ID numbers in the H2 file").isEmpty();
        try (Stream<Path> files = Files.walk(dir.resolve("files"))) {
            List<Path> stored = files.filter(Files::isRegularFile).toList();
            assertThat(stored).anyMatch(p -> p.toString().endsWith(".sealed"));
            for (Path p : stored) {
                assertThat(idsIn(Files.readAllBytes(p), ids)).as("ID numbers in " + p).isEmpty();
            }
        }

        // An operator rotates the keys of the stopped deployment with the command of the README.
        Path oldKeys = dir.resolve("keys/old.json");
        Files.copy(keys, oldKeys);
        List<String> rotate = new ArrayList<>(List.of("keys", "rotate"));
        rotate.addAll(List.of(args(keys)));
        int code = KeyCommands.run(rotate.toArray(String[]::new), a -> {
            SpringApplication app = new SpringApplication(FuzhiApplication.class);
            app.setWebApplicationType(WebApplicationType.NONE);
            app.setDefaultProperties(Map.of("fuzhi.demo.load", "false", "fuzhi.crypto.rotating", "true"));
            return app.run(a);
        });
        assertThat(code).isZero();
        assertThat(Files.readString(keys)).isNotEqualTo(Files.readString(oldKeys));
        assertThat(dir.resolve("keys/fuzhi-keys.json.next")).doesNotExist();
        try (var ctx = start(keys, false)) {
            JdbcClient jdbc = ctx.getBean(JdbcClient.class);
            FieldCrypto crypto = ctx.getBean(FieldCrypto.class);
            assertThat(jdbc.sql("SELECT s.id_sealed FROM person p JOIN person_sealed s ON s.person_id = p.id WHERE p.id_index = :i").param("i", crypto.index(someId))
                    .query(String.class).list()).singleElement()
                    .satisfies(s -> assertThat(crypto.open(Kind.ID_NUMBER, s)).isEqualTo(someId));
            // Every roster line still finds its person by the new index.
            assertThat(jdbc.sql("SELECT COUNT(*) FROM roster_member r JOIN person p ON p.id_index = r.id_index")
                    .query(Long.class).single()).isGreaterThan(10_000);
        }
        // The old key file no longer opens this database: the start stops with a message, not with empty searches.
        assertThatThrownBy(() -> start(oldKeys, false).close()).hasStackTraceContaining("did not write this database");
    }

    /** A string as H2's MVStore writes it: UTF-8-like, but the trailing bytes of a character carry no 10 marker. */
    private static String h2Chars(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x80) {
                sb.append(c);
            } else if (c >= 0x800) {
                sb.append((char) (0xe0 | (c >> 12))).append((char) ((c >> 6) & 0x3f)).append((char) (c & 0x3f));
            } else {
                sb.append((char) (0xc0 | (c >> 6))).append((char) (c & 0x3f));
            }
        }
        return sb.toString();
    }

    /** Every known ID (or its 15 leading digits) found in the bytes: runs of digits and X, compared by prefix. */
    static Set<String> idsIn(byte[] bytes, Set<String> ids) {
        Set<String> prefixes = new HashSet<>();
        ids.forEach(id -> prefixes.add(id.substring(0, 15)));
        Set<String> found = new HashSet<>();
        int start = -1;
        for (int i = 0; i <= bytes.length; i++) {
            boolean digit = i < bytes.length && (bytes[i] >= '0' && bytes[i] <= '9' || bytes[i] == 'X' || bytes[i] == 'x');
            if (digit && start < 0) {
                start = i;
            } else if (!digit && start >= 0) {
                for (int s = start; s + 15 <= i; s++) {
                    String p = new String(bytes, s, 15, StandardCharsets.ISO_8859_1);
                    if (prefixes.contains(p)) {
                        found.add(p);
                    }
                }
                start = -1;
            }
        }
        return found;
    }
}
