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

    private final ExcelWriter writer;
    private final WriteSheet sheet;
    private final List<List<String>> buffer = new ArrayList<>();

    public Xlsx(OutputStream out, String sheetName, List<String> header) {
        List<List<String>> head = header.stream().map(List::of).toList();
        this.writer = FastExcel.write(out).head(head).autoCloseStream(false).build();
        this.sheet = FastExcel.writerSheet(sheetName).build();
    }

    public void row(List<String> cells) {
        buffer.add(cells.stream().map(Xlsx::neutralise).toList());
        if (buffer.size() >= 1000) {
            flush();
        }
    }

    private void flush() {
        writer.write(new ArrayList<>(buffer), sheet);
        buffer.clear();
    }

    @Override
    public void close() {
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
