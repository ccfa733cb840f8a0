package org.fuzhi.platform;

import java.util.Optional;

/**
 * Where a school stands, for the platform's own records (the audit log files a school user's acts under the
 * school's region so that the aid center of that region can read them). Implemented by the region module.
 */
public interface SchoolRegions {

    Optional<String> regionOf(String schoolCode);
}
