/**
 * The demo county and the data-set generator: synthetic regions, schools, households and students
 * (every person generated; names and ID numbers fake but valid), written as import files and loaded
 * through the same import path as a county's own files.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Demo data")
package org.fuzhi.demo;
