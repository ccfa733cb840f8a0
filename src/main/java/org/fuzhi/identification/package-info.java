/**
 * 精准识别 — precise identification. This first part holds the multi-dimensional assessment (Alkire–Foster)
 * and its what-if evaluation; roster linkage, rounds and dropout cases follow.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Identification")
package org.fuzhi.identification;
