package org.fuzhi.demo;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes one import file in UTF-8 CSV, streaming. */
final class CsvSink implements AutoCloseable {

    private final BufferedWriter out;
    private long rows;

    CsvSink(Path file, List<String> header) {
        try {
            this.out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8),
                    1 << 16);
            write(header);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(List<String> cells) {
        try {
            for (int i = 0; i < cells.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                String c = cells.get(i) == null ? "" : cells.get(i);
                if (c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0) {
                    out.write('"');
                    out.write(c.replace("\"", "\"\""));
                    out.write('"');
                } else {
                    out.write(c);
                }
            }
            out.write("\r\n");
            rows++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long dataRows() {
        return rows - 1;
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
