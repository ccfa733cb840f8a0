package org.fuzhi.platform;

import cn.idev.excel.ExcelWriter;
import cn.idev.excel.FastExcel;
import cn.idev.excel.write.metadata.WriteSheet;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Streaming .xlsx writer for exports, templates and error reports. Every cell is written as text and
 * any text a spreadsheet would run as a formula is neutralised with a leading apostrophe.
 */
public final class Xlsx implements AutoCloseable {

    /**
     * Data rows per sheet: Excel holds 1,048,576 rows including the header. A larger export or error report goes on
     * in a new sheet ("学生 (2)", …) with the header repeated, instead of failing half-way.
     */
    static final int ROWS_PER_SHEET = 1_048_575;

    private final ExcelWriter writer;
    private final String sheetName;
    private final int rowsPerSheet;
    private final List<List<String>> buffer = new ArrayList<>();
    private WriteSheet sheet;
    private int sheetNo = 1;
    private int rowsInSheet;

    public Xlsx(OutputStream out, String sheetName, List<String> header) {
        this(out, sheetName, header, ROWS_PER_SHEET);
    }

    Xlsx(OutputStream out, String sheetName, List<String> header, int rowsPerSheet) {
        List<List<String>> head = header.stream().map(List::of).toList();
        this.writer = FastExcel.write(out).head(head).autoCloseStream(false).build();
        this.sheetName = sheetName;
        this.rowsPerSheet = rowsPerSheet;
        this.sheet = FastExcel.writerSheet(0, sheetName).build();
    }

    public void row(List<String> cells) {
        if (rowsInSheet == rowsPerSheet) {
            flush();
            sheet = FastExcel.writerSheet(sheetNo, sheetName + " (" + (++sheetNo) + ")").build();
            rowsInSheet = 0;
        }
        buffer.add(cells.stream().map(Xlsx::neutralise).toList());
        rowsInSheet++;
        if (buffer.size() >= 1000) {
            flush();
        }
    }

    private void flush() {
        if (!buffer.isEmpty()) {
            writer.write(new ArrayList<>(buffer), sheet);
            buffer.clear();
        }
    }

    @Override
    public void close() {
        if (sheetNo == 1 && rowsInSheet == 0) {
            writer.write(new ArrayList<>(), sheet); // an empty export still has its sheet and header
        }
        flush();
        writer.finish();
    }

    /** Text starting with = + - @ or a control character would be evaluated by Excel/WPS (CSV injection). */
    public static String neutralise(String v) {
        if (v == null || v.isEmpty()) {
            return v == null ? "" : v;
        }
        char c = v.charAt(0);
        if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r') {
            if ((c == '-' || c == '+') && v.length() > 1 && v.substring(1).matches("[0-9]+(\\.[0-9]+)?")) {
                return v;
            }
            return "'" + v;
        }
        return v;
    }
}
