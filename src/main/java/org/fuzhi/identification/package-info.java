/**
 * Precise identification: the multi-dimensional assessment (Alkire–Foster) and its what-if, roster
 * linkage, identification rounds, surveys, notices and dropout cases. It owns the derived poverty status (table
 * {@code person_poverty_status}, which other modules read and never write) and announces each change with
 * {@link org.fuzhi.common.PovertyStatusChanged}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Identification")
package org.fuzhi.identification;
