package org.fuzhi.demo;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.springframework.stereotype.Component;

/**
 * The application's clock outside production: the system clock, except while the demo loader plays the demo county's
 * past (last spring's identification round, whose five-working-day public notice must have run out before it could be
 * made final). The services that keep dates (rounds, cases) read it; only the demo loader sets it, and it never runs
 * under {@code prod}, where this is the system clock.
 */
@Component
class DemoClock extends Clock {

    private volatile Instant replaying;
    private final ZoneId zone;

    DemoClock() {
        this(ZoneId.of("Asia/Shanghai"));
    }

    private DemoClock(ZoneId zone) {
        this.zone = zone;
    }

    /** While the demo plays a past day: that instant; null goes back to the system clock. */
    void replay(Instant at) {
        this.replaying = at;
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId other) {
        DemoClock parent = this;
        // A view in another zone that still follows the replayed time.
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return other;
            }

            @Override
            public Clock withZone(ZoneId z) {
                return parent.withZone(z);
            }

            @Override
            public Instant instant() {
                return parent.instant();
            }
        };
    }

    @Override
    public Instant instant() {
        Instant at = replaying;
        return at != null ? at : Instant.now();
    }
}
