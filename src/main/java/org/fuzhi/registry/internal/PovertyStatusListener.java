package org.fuzhi.registry.internal;

import org.fuzhi.common.PovertyStatusChanged;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The registry keeps counts of poor pupils, computed from identification's poverty status: a person who joins or
 * leaves the roster moves between the overview's poor and other pupils. Heard synchronously, inside identification's
 * transaction, so the recount happens before that transaction commits (a later, asynchronous listener would let the
 * overview disagree with the status it is computed from).
 */
@Component
class PovertyStatusListener {

    private final KeptCounts counts;

    PovertyStatusListener(KeptCounts counts) {
        this.counts = counts;
    }

    @EventListener
    void on(PovertyStatusChanged changed) {
        counts.touchPersons(changed.gained());
        counts.touchPersons(changed.lost());
    }
}
