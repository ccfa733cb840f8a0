/** 学生与家庭 — households, persons, students and their enrolments. */
@org.springframework.modulith.ApplicationModule(displayName = "Registry")
package org.fuzhi.registry;
