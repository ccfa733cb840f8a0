package org.fuzhi.platform;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Names the targets of audit events for people reading the log ("学生 潘*涵" rather than "student 4711"). Each
 * module names the targets it records; the audit page asks once per page and type. Children's names are always
 * masked here: the log says whose data was touched without becoming a list of children itself.
 */
public interface AuditTargetNames {

    /** The target types this module names, as recorded ({@code "student"}, {@code "aidBatch"} …). */
    Set<String> targetTypes();

    /** Those of the types that are children (or their families): not named for a role that does not see children. */
    default Set<String> childTypes() {
        return Set.of();
    }

    /** The names of these targets; ids no longer found are left out (the page then shows the id). */
    Map<String, String> names(String targetType, Collection<String> ids, Locale locale);

    /** The ids that are numbers, for an IN list of BIGINT; anything else is dropped. */
    static List<Long> numeric(Collection<String> ids) {
        return ids.stream().filter(s -> s != null && s.matches("\\d{1,18}")).map(Long::valueOf).toList();
    }
}
