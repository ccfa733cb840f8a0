package org.fuzhi.platform.internal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fuzhi.common.IdNumber;
import org.fuzhi.common.Masking;
import org.fuzhi.platform.FieldCrypto.Kind;
import org.fuzhi.platform.Tabular;

/**
 * {@code java -jar fuzhi.jar keys seal-csv --keyset FILE --in A.csv --out B.csv --columns 身份证号:ID_NUMBER,…}:
 * each named column of a CSV replaced by three — its blind index, sealed value and masked form — as the
 * application stores them. For bulk loaders that COPY a data set straight into the schema (the province benchmark,
 * a one-off migration from another system) and must write the same forms the imports write (ADR 0011). A
 * {@code RAW_ID} column is indexed by its normalised number, or not at all when it holds none, and gets a fourth
 * column, {@code _birth}: the birth date its digits hold, as the roster import reads it.
 */
final class SealCsv {

    private SealCsv() {
    }

    static long run(TinkFieldCrypto crypto, Path in, Path out, Map<String, Kind> columns) throws Exception {
        long[] rows = {0};
        try (Writer w = new BufferedWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8), 1 << 16)) {
            int[][] positions = {null};
            Kind[][] kinds = {null};
            Tabular.read(in, Tabular.Format.CSV, (rowNo, cells) -> {
                List<String> line = new ArrayList<>(cells.size() + 2 * columns.size());
                if (positions[0] == null) {
                    positions[0] = new int[cells.size()];
                    kinds[0] = new Kind[cells.size()];
                    for (int i = 0; i < cells.size(); i++) {
                        Kind k = columns.get(cells.get(i).strip());
                        kinds[0][i] = k;
                        if (k != null) {
                            line.add(cells.get(i) + "_index");
                            line.add(cells.get(i) + "_sealed");
                            line.add(cells.get(i) + "_masked");
                            if (k == Kind.RAW_ID) {
                                line.add(cells.get(i) + "_birth");
                            }
                        } else {
                            line.add(cells.get(i));
                        }
                    }
                } else {
                    for (int i = 0; i < cells.size(); i++) {
                        Kind k = i < kinds[0].length ? kinds[0][i] : null;
                        String v = cells.get(i) == null ? "" : cells.get(i);
                        if (k == null) {
                            line.add(v);
                        } else {
                            String indexed = k == Kind.RAW_ID ? IdNumber.tryParse(v).map(IdNumber::value).orElse(null)
                                    : v.strip();
                            line.add(indexed == null || indexed.isEmpty() ? "" : crypto.index(indexed));
                            line.add(crypto.seal(k, k == Kind.RAW_ID ? v : v.strip()));
                            line.add(Masking.idNumber(k == Kind.RAW_ID ? v : v.strip()));
                            if (k == Kind.RAW_ID) {
                                var parsed = IdNumber.parse(v);
                                var birth = parsed.valid() ? parsed.id().birthDate() : IdNumber.birthDateIn(v);
                                line.add(birth == null ? "" : birth.toString());
                            }
                        }
                    }
                    rows[0]++;
                }
                write(w, line);
            });
        }
        return rows[0];
    }

    private static void write(Writer w, List<String> cells) throws IOException {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                w.write(',');
            }
            String c = cells.get(i);
            if (c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0) {
                w.write('"');
                w.write(c.replace("\"", "\"\""));
                w.write('"');
            } else {
                w.write(c);
            }
        }
        w.write('\n');
    }

    /** {@code 身份证号:ID_NUMBER,学籍号:STUDENT_NO} → an ordered map. */
    static Map<String, Kind> columns(String spec) {
        Map<String, Kind> out = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            int colon = part.lastIndexOf(':');
            out.put(part.substring(0, colon).strip(), Kind.valueOf(part.substring(colon + 1).strip()));
        }
        return out;
    }
}
