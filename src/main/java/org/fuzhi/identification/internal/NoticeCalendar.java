package org.fuzhi.identification.internal;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Working days for public notices (公示期). Weekends are not working days, except the make-up working days
 * (调休) the State Council announces each year; public holidays are not. Both lists are configuration because
 * they change every year: {@code fuzhi.calendar.holidays} and {@code fuzhi.calendar.workdays} (ISO dates).
 */
@Component
class NoticeCalendar {

    private final Set<LocalDate> holidays;
    private final Set<LocalDate> workdays;

    NoticeCalendar(@Value("${fuzhi.calendar.holidays:}") String holidays,
                   @Value("${fuzhi.calendar.workdays:}") String workdays) {
        this.holidays = parse(holidays);
        this.workdays = parse(workdays);
    }

    static NoticeCalendar weekendsOnly() {
        return new NoticeCalendar("", "");
    }

    boolean isWorkingDay(LocalDate d) {
        if (holidays.contains(d)) {
            return false;
        }
        if (workdays.contains(d)) {
            return true;
        }
        return d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY;
    }

    /**
     * The last day of a notice put up on {@code start} that must stay up for {@code days} working days: the start
     * day counts when it is a working day.
     */
    LocalDate lastDay(LocalDate start, int days) {
        LocalDate d = start;
        int counted = 0;
        while (true) {
            if (isWorkingDay(d)) {
                counted++;
                if (counted == days) {
                    return d;
                }
            }
            d = d.plusDays(1);
        }
    }

    /** How many working days a notice up from {@code start} to {@code end} (both included) stays up. */
    int workingDays(LocalDate start, LocalDate end) {
        int n = 0;
        for (LocalDate d = start; !d.isAfter(end); d = d.plusDays(1)) {
            if (isWorkingDay(d)) {
                n++;
            }
        }
        return n;
    }

    private static Set<LocalDate> parse(String list) {
        Set<LocalDate> out = new TreeSet<>();
        for (String s : list.split(",")) {
            if (!s.isBlank()) {
                out.add(LocalDate.parse(s.trim()));
            }
        }
        return out;
    }
}
