/**
 * Accounts, roles and scope, security, audit log, import/export infrastructure.
 * The root package is the API other modules use; {@code internal} and {@code web} are private.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Platform")
package org.fuzhi.platform;
