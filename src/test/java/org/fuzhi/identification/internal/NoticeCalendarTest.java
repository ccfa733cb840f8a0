package org.fuzhi.identification.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class NoticeCalendarTest {

    @Test
    void aNoticePutUpOnMondayEndsOnFriday() {
        assertThat(NoticeCalendar.weekendsOnly().lastDay(LocalDate.of(2026, 11, 23), 5))
                .isEqualTo(LocalDate.of(2026, 11, 27));
    }

    @Test
    void aNoticePutUpOnThursdayRunsOverTheWeekend() {
        assertThat(NoticeCalendar.weekendsOnly().lastDay(LocalDate.of(2026, 11, 26), 5))
                .isEqualTo(LocalDate.of(2026, 12, 2));
    }

    @Test
    void aNoticePutUpOnSaturdayStartsCountingOnMonday() {
        assertThat(NoticeCalendar.weekendsOnly().lastDay(LocalDate.of(2026, 11, 28), 5))
                .isEqualTo(LocalDate.of(2026, 12, 4));
    }

    @Test
    void holidaysDoNotCountAndMakeUpWorkdaysDo() {
        NoticeCalendar c = new NoticeCalendar("2026-10-01,2026-10-02,2026-10-05", "2026-10-10");
        // Wed 30 Sep counts, 1-2 Oct holidays, 3-4 weekend, 5 holiday, 6-9 count → 9 Oct is the fifth working day.
        assertThat(c.lastDay(LocalDate.of(2026, 9, 30), 5)).isEqualTo(LocalDate.of(2026, 10, 9));
        assertThat(c.isWorkingDay(LocalDate.of(2026, 10, 10))).isTrue();
        assertThat(c.isWorkingDay(LocalDate.of(2026, 10, 5))).isFalse();
    }

    @Test
    void theNoticeSaysHowManyWorkingDaysItIsUp() {
        NoticeCalendar c = new NoticeCalendar("2026-10-01,2026-10-02,2026-10-05", "2026-10-10");
        assertThat(c.workingDays(LocalDate.of(2026, 9, 30), LocalDate.of(2026, 10, 9))).isEqualTo(5);
        assertThat(c.workingDays(LocalDate.of(2026, 10, 3), LocalDate.of(2026, 10, 4))).isZero();
        assertThat(c.workingDays(LocalDate.of(2026, 10, 9), LocalDate.of(2026, 10, 10))).isEqualTo(2);
        assertThat(NoticeCalendar.weekendsOnly().workingDays(LocalDate.of(2026, 11, 26), LocalDate.of(2026, 12, 2)))
                .isEqualTo(5);
    }
}
