package org.fuzhi.common;

import java.util.List;

/**
 * One page of a list, with the total so the UI can show "page 2 of 17".
 *
 * @param totalCapped the list was counted only up to {@code total} rows and holds more: a search that matches half a
 *                    province is counted to a bound, and its pages stop there (the pager asks for a narrower search)
 */
public record Page<T>(List<T> items, long total, int page, int size, boolean totalCapped) {

    public Page(List<T> items, long total, int page, int size) {
        this(items, total, page, size, false);
    }

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
