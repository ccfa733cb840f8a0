package org.fuzhi.platform;

import cn.idev.excel.FastExcel;
import cn.idev.excel.context.AnalysisContext;
import cn.idev.excel.exception.ExcelAnalysisException;
import cn.idev.excel.read.listener.ReadListener;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Streams the rows of an uploaded .xlsx or .csv file, never holding the whole file in memory.
 * CSV may be UTF-8 (with or without BOM) or GBK/GB18030, as Excel on Chinese Windows saves it.
 */
public final class Tabular {

    private Tabular() {
    }

    /** Receives one row: its 1-based row number in the file (the header is row 1) and its cells. */
    @FunctionalInterface
    public interface RowHandler {
        void row(int rowNo, List<String> cells) throws Exception;
    }

    /** The file cannot be read as a table at all; the message key explains why to the user. */
    public static final class UnreadableException extends RuntimeException {
        private final String messageKey;

        public UnreadableException(String messageKey, Throwable cause) {
            super(messageKey, cause);
            this.messageKey = messageKey;
        }

        public String messageKey() {
            return messageKey;
        }
    }

    public enum Format { XLSX, CSV }

    public static Format formatOf(String filename, Path file) throws IOException {
        String name = filename == null ? "" : filename.toLowerCase(Locale.ROOT);
        byte[] head = new byte[8192];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        boolean zip = n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        if (name.endsWith(".xlsx")) {
            if (!zip) {
                throw new UnreadableException("import.refused.notSpreadsheet", null);
            }
            return Format.XLSX;
        }
        // The old binary Excel format (and a workbook renamed to .xls) cannot be streamed safely: say what to do.
        boolean ole = n >= 8 && (head[0] & 0xFF) == 0xD0 && (head[1] & 0xFF) == 0xCF && (head[2] & 0xFF) == 0x11
                && (head[3] & 0xFF) == 0xE0;
        if (name.endsWith(".xls") || ole) {
            throw new UnreadableException("import.refused.xls", null);
        }
        if (name.endsWith(".csv") || name.endsWith(".txt")) {
            for (int i = 0; i < n; i++) {
                if (head[i] == 0) {
                    throw new UnreadableException("import.refused.notSpreadsheet", null);
                }
            }
            return Format.CSV;
        }
        throw new UnreadableException("import.refused.notSpreadsheet", null);
    }

    /** Calls the handler for every row, the header included (row 1). Blank rows are skipped. */
    public static void read(Path file, Format format, RowHandler handler) throws Exception {
        if (format == Format.CSV) {
            Charset cs = detectCharset(file);
            try (Reader r = new BufferedReader(new InputStreamReader(skipBom(Files.newInputStream(file)), cs), 1 << 16)) {
                readCsv(r, handler);
            }
        } else {
            readXlsx(file, handler);
        }
    }

    static Charset detectCharset(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            in.mark(3);
            byte[] bom = in.readNBytes(3);
            if (bom.length == 3 && (bom[0] & 0xFF) == 0xEF && (bom[1] & 0xFF) == 0xBB && (bom[2] & 0xFF) == 0xBF) {
                return StandardCharsets.UTF_8;
            }
            in.reset();
            // Strict UTF-8 over the whole file: one bad sequence means it was saved as GBK/GB18030.
            CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            byte[] buf = new byte[1 << 16];
            ByteBuffer bb = ByteBuffer.allocate(buf.length + 8);
            CharBuffer cb = CharBuffer.allocate(buf.length + 8);
            int n;
            while ((n = in.read(buf)) > 0) {
                bb.put(buf, 0, n).flip();
                var res = dec.decode(bb, cb, false);
                if (res.isError()) {
                    return Charset.forName("GB18030");
                }
                bb.compact();
                cb.clear();
            }
            bb.flip();
            if (dec.decode(bb, cb, true).isError() || bb.hasRemaining()) {
                return Charset.forName("GB18030");
            }
            return StandardCharsets.UTF_8;
        } catch (CharacterCodingException e) {
            return Charset.forName("GB18030");
        }
    }

    private static InputStream skipBom(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(3);
        byte[] bom = in.readNBytes(3);
        if (!(bom.length == 3 && (bom[0] & 0xFF) == 0xEF && (bom[1] & 0xFF) == 0xBB && (bom[2] & 0xFF) == 0xBF)) {
            in.reset();
        }
        return in;
    }

    /** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks. */
    /** A row of a table with its 1-based number in the file (what a message about it names). */
    public record Row(int rowNo, List<String> cells) {
    }

    /** The rows of CSV text already in memory (a request body), the header included, blank rows skipped. */
    public static List<Row> csvRows(String text) {
        List<Row> out = new ArrayList<>();
        try {
            readCsv(new StringReader(text == null ? "" : text.replace("\uFEFF", "")),
                    (n, cells) -> out.add(new Row(n, cells)));
        } catch (Exception e) {
            throw new UnreadableException("import.refused.notSpreadsheet", e);
        }
        return out;
    }

    /** Every row of an uploaded table (.csv in any of the accepted encodings, or .xlsx), the header included. */
    public static List<Row> rows(Path file, String filename) {
        List<Row> out = new ArrayList<>();
        try {
            read(file, formatOf(filename, file), (n, cells) -> out.add(new Row(n, cells)));
        } catch (UnreadableException e) {
            throw e;
        } catch (Exception e) {
            throw new UnreadableException("import.refused.notSpreadsheet", e);
        }
        return out;
    }

    static void readCsv(Reader r, RowHandler handler) throws Exception {
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean fieldStarted = false;
        int rowNo = 1;
        int c;
        while ((c = r.read()) != -1) {
            char ch = (char) c;
            if (quoted) {
                if (ch == '"') {
                    r.mark(1);
                    int next = r.read();
                    if (next == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        if (next != -1) {
                            r.reset();
                        }
                    }
                } else {
                    field.append(ch);
                }
                continue;
            }
            switch (ch) {
                case '"' -> {
                    if (field.isEmpty()) {
                        quoted = true;
                        fieldStarted = true;
                    } else {
                        field.append(ch);
                    }
                }
                case ',' -> {
                    row.add(field.toString());
                    field.setLength(0);
                    fieldStarted = true;
                }
                case '\r' -> {
                    // handled together with \n; a lone CR also ends the record
                    r.mark(1);
                    int next = r.read();
                    if (next != '\n' && next != -1) {
                        r.reset();
                    }
                    rowNo = endRow(row, field, fieldStarted, rowNo, handler);
                    fieldStarted = false;
                }
                case '\n' -> {
                    rowNo = endRow(row, field, fieldStarted, rowNo, handler);
                    fieldStarted = false;
                }
                default -> {
                    field.append(ch);
                    fieldStarted = true;
                }
            }
        }
        if (fieldStarted || !field.isEmpty() || !row.isEmpty()) {
            endRow(row, field, true, rowNo, handler);
        }
    }

    private static int endRow(List<String> row, StringBuilder field, boolean started, int rowNo, RowHandler handler)
            throws Exception {
        if (started || !field.isEmpty() || !row.isEmpty()) {
            row.add(field.toString());
        }
        field.setLength(0);
        if (!row.isEmpty() && !row.stream().allMatch(String::isBlank)) {
            handler.row(rowNo, List.copyOf(row));
        }
        row.clear();
        return rowNo + 1;
    }

    private static void readXlsx(Path file, RowHandler handler) throws Exception {
        try {
            FastExcel.read(file.toFile(), new ReadListener<Map<Integer, String>>() {
                @Override
                public void invoke(Map<Integer, String> data, AnalysisContext context) {
                    int max = data.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
                    List<String> cells = new ArrayList<>(max + 1);
                    for (int i = 0; i <= max; i++) {
                        String v = data.get(i);
                        cells.add(v == null ? "" : v);
                    }
                    if (cells.stream().allMatch(String::isBlank)) {
                        return;
                    }
                    try {
                        handler.row(context.readRowHolder().getRowIndex() + 1, cells);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new WrappedException(e);
                    }
                }

                @Override
                public void doAfterAllAnalysed(AnalysisContext context) {
                }
            }).headRowNumber(0).sheet(0).doRead();
        } catch (ExcelAnalysisException e) {
            Throwable cause = e;
            while (cause != null) {
                if (cause instanceof WrappedException w) {
                    throw (Exception) w.getCause();
                }
                if (cause instanceof RuntimeException re && !(cause instanceof ExcelAnalysisException)
                        && cause.getClass().getName().startsWith("org.fuzhi")) {
                    throw re;
                }
                cause = cause.getCause();
            }
            throw new UnreadableException("import.refused.notSpreadsheet", e);
        } catch (RuntimeException e) {
            if (e.getClass().getName().startsWith("org.fuzhi")) {
                throw e;
            }
            throw new UnreadableException("import.refused.notSpreadsheet", e);
        }
    }

    private static final class WrappedException extends RuntimeException {
        WrappedException(Exception cause) {
            super(cause);
        }
    }
}
