package org.fuzhi.platform;

import java.util.Map;

/** A data row of an import file: its row number in the file and its cells by column code (trimmed, never null). */
public record ImportRow(int rowNo, Map<String, String> values) {

    public String get(String column) {
        String v = values.get(column);
        return v == null ? "" : v;
    }

    public boolean has(String column) {
        return !get(column).isEmpty();
    }
}
