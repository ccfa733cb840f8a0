package org.fuzhi.platform;

import java.util.List;
import java.util.Optional;

/**
 * What the platform needs to know of regions and schools (to file an audit event under its region, to check an
 * account's scope, to create a county's village accounts). Implemented by the region module, which owns them.
 */
public interface Places {

    /** The region (village code) where a school stands. */
    Optional<String> regionOfSchool(String schoolCode);

    boolean regionExists(String regionCode);

    boolean schoolExists(String schoolCode);

    /** The villages below a region, with their township, in code order. */
    List<Village> villagesBelow(String regionCode);

    record Village(String code, String name, String townshipName) {
    }
}
