/** 监督评估 — dashboards and reports for the user's scope (alerts and evaluation come with their issue). */
@org.springframework.modulith.ApplicationModule(displayName = "Supervision")
package org.fuzhi.supervision;
