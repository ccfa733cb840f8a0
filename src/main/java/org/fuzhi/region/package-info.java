/** 区划与学校 — administrative divisions, schools and teaching points, alliances and school districts. */
@org.springframework.modulith.ApplicationModule(displayName = "Regions and schools")
package org.fuzhi.region;
