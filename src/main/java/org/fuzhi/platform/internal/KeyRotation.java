package org.fuzhi.platform.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.fuzhi.common.IdNumber;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.FieldCrypto.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code java -jar fuzhi.jar keys rotate} (ADR 0011), with the application stopped: a new primary key in each keyset,
 * every sealed value in the database re-sealed and every blind index recomputed with it, every stored file re-sealed,
 * then the old keys destroyed. The intermediate keys (old and new) are written to {@code <key file>.next} first, so
 * an interrupted rotation leaves a database that one of the two files opens, and running the command again finishes
 * it. Like the V14 migration, it names the tables that hold sealed values — the one other place that does.
 */
@Component
class KeyRotation {

    private static final Logger log = LoggerFactory.getLogger(KeyRotation.class);
    private static final int BATCH = 2000;

    /**
     * A sealed column of {@code table} (rows keyed by {@code key}), and the blind index column kept from the same
     * value in {@code indexTable}, the row whose {@code id} is that key (the same table unless the sealed value
     * lives in a side table, V16).
     */
    private record SealedColumn(String table, String key, String sealed, Kind kind, String indexTable, String index,
                                UnaryOperator<String> indexed) {
        SealedColumn(String table, String sealed, Kind kind, String index, UnaryOperator<String> indexed) {
            this(table, "id", sealed, kind, table, index, indexed);
        }
    }

    private static final List<SealedColumn> COLUMNS = List.of(
            new SealedColumn("person_sealed", "person_id", "id_sealed", Kind.ID_NUMBER, "person", "id_index", v -> v),
            new SealedColumn("enrolment_sealed", "enrolment_id", "student_no_sealed", Kind.STUDENT_NO, "enrolment",
                    "student_no_index", v -> v),
            // Lists keep the number as written; the index is of its normalised form, as the imports write it.
            new SealedColumn("roster_member", "id_raw_sealed", Kind.RAW_ID, "id_index", KeyRotation::normalised),
            new SealedColumn("source_list_member", "id_raw_sealed", Kind.RAW_ID, "id_index", KeyRotation::normalised),
            new SealedColumn("key_check", "sealed", Kind.ID_NUMBER, "index_value", v -> v));

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final TinkFieldCrypto current;
    private final TransactionTemplate tx;
    private final Path storage;
    private final String fromEnvironment;

    KeyRotation(JdbcClient jdbc, JdbcTemplate batch, TinkFieldCrypto current, PlatformTransactionManager transactions,
                @Value("${fuzhi.storage.dir:./data/files}") String storageDir,
                @Value("${FUZHI_KEYSET:}") String fromEnvironment) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.current = current;
        this.tx = new TransactionTemplate(transactions);
        this.storage = Path.of(storageDir);
        this.fromEnvironment = fromEnvironment;
    }

    private static String normalised(String raw) {
        return IdNumber.tryParse(raw).map(IdNumber::value).orElse(null);
    }

    /** Rotates the keys in {@code keyFile}; returns a line to print. */
    String rotate(Path keyFile) throws IOException {
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            throw new IllegalStateException("keys rotate writes the key file: unset FUZHI_KEYSET and point "
                    + "fuzhi.crypto.keyset-file at the file holding those keys, then rotate");
        }
        long start = System.nanoTime();
        Path next = keyFile.resolveSibling(keyFile.getFileName() + ".next");
        Keyring both;
        if (Files.exists(next)) {
            // An earlier rotation stopped half-way: its keys open every value, whichever side of the stop it is.
            both = Keyring.parse(Files.readString(next));
            log.info("finishing the rotation begun in {}", next);
        } else {
            both = current.keys().withNewPrimaries();
            TinkFieldCrypto.write(next, both);
        }
        TinkFieldCrypto crypto = new TinkFieldCrypto(both);
        long files = resealFiles(crypto);
        long[] rows = {0};
        tx.executeWithoutResult(s -> {
            for (SealedColumn c : COLUMNS) {
                rows[0] += reseal(c, crypto);
            }
        });
        Keyring done = both.primariesOnly();
        TinkFieldCrypto.write(keyFile, done);
        Files.delete(next);
        return String.format("keys rotated: %d sealed values and %d files re-sealed in %.1f s; now %s", rows[0], files,
                (System.nanoTime() - start) / 1e9, done.describe());
    }

    private long reseal(SealedColumn c, FieldCrypto crypto) {
        long count = 0;
        long after = Long.MIN_VALUE;
        while (true) {
            List<Object[]> rows = jdbc.sql("SELECT " + c.key() + ", " + c.sealed() + " FROM " + c.table()
                            + " WHERE " + c.key() + " > :after ORDER BY " + c.key() + " LIMIT " + BATCH)
                    .param("after", after)
                    .query((rs, n) -> new Object[]{rs.getLong(1), rs.getString(2)}).list();
            if (rows.isEmpty()) {
                return count;
            }
            List<Object[]> sealedValues = new ArrayList<>(rows.size());
            List<Object[]> indexes = new ArrayList<>(rows.size());
            for (Object[] r : rows) {
                String clear = crypto.open(c.kind(), (String) r[1]);
                String indexed = c.indexed().apply(clear);
                sealedValues.add(new Object[]{crypto.seal(c.kind(), clear), r[0]});
                indexes.add(new Object[]{indexed == null ? null : crypto.index(indexed), r[0]});
            }
            batch.batchUpdate("UPDATE " + c.table() + " SET " + c.sealed() + " = ? WHERE " + c.key() + " = ?",
                    sealedValues);
            batch.batchUpdate("UPDATE " + c.indexTable() + " SET " + c.index() + " = ? WHERE id = ?", indexes);
            count += rows.size();
            after = (Long) rows.get(rows.size() - 1)[0];
        }
    }

    private long resealFiles(TinkFieldCrypto crypto) throws IOException {
        Path imports = storage.resolve("imports");
        if (!Files.isDirectory(imports)) {
            return 0;
        }
        List<Path> sealed;
        try (Stream<Path> walk = Files.walk(imports, 2)) {
            sealed = walk.filter(p -> p.getFileName().toString().startsWith("original")
                    && p.getFileName().toString().endsWith(".sealed")).toList();
        }
        for (Path p : sealed) {
            String name = "import:" + p.getParent().getFileName() + "/original";
            Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
            try (InputStream in = crypto.opening(Files.newInputStream(p), name);
                 OutputStream out = crypto.sealing(Files.newOutputStream(tmp), name)) {
                in.transferTo(out);
            } catch (IOException e) {
                Files.deleteIfExists(tmp);
                throw new UncheckedIOException("cannot re-seal " + p, e);
            }
            Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
        return sealed.size();
    }
}
