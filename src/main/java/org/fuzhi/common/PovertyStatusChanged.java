package org.fuzhi.common;

import java.util.Collections;
import java.util.Set;

/**
 * Persons whose poverty status changed, published by identification in the transaction that changed them.
 * Identification derives and stores the status (the category of the current roster line linked to a person); a module
 * that keeps something computed from it, such as the registry's kept counts, reacts to this event in the same
 * transaction, so what it keeps is never stale. The type lives in this shared module because identification already
 * uses the registry: a registry listener typed on an identification class would make the two depend on each other.
 *
 * @param gained        persons who had no status and now have one
 * @param lost          persons whose status was removed
 * @param recategorised persons who keep a status under another category or from another area's roster
 */
public record PovertyStatusChanged(Set<Long> gained, Set<Long> lost, Set<Long> recategorised) {

    /** Read-only views, not copies: a province's first linkage gives two million persons a status. */
    public PovertyStatusChanged {
        gained = Collections.unmodifiableSet(gained);
        lost = Collections.unmodifiableSet(lost);
        recategorised = Collections.unmodifiableSet(recategorised);
    }

    public boolean isEmpty() {
        return gained.isEmpty() && lost.isEmpty() && recategorised.isEmpty();
    }
}
