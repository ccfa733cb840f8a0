package org.fuzhi.common;

import java.util.List;

/** One page of a list, with the total so the UI can show "第 2 / 17 页". */
public record Page<T>(List<T> items, long total, int page, int size) {

    public int pages() {
        return (int) Math.max(1, (total + size - 1) / size);
    }

    public boolean hasNext() {
        return page + 1 < pages();
    }

    /** A requested page number brought into range: a link to page 40 of a list that shrank shows its last page. */
    public static int clamp(int page, long total, int size) {
        int last = (int) Math.max(0, (total + size - 1) / size - 1);
        return Math.max(0, Math.min(page, last));
    }

    public boolean hasPrevious() {
        return page > 0;
    }
}
