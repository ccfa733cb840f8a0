package org.fuzhi.supervision;

import java.util.LinkedHashMap;
import java.util.Map;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.region.Directory;
import org.fuzhi.registry.Registry;
import org.springframework.stereotype.Service;

/** Builds the overview from the region and registry modules' APIs. */
@Service
public class Dashboard {

    private final Directory directory;
    private final Registry registry;

    Dashboard(Directory directory, Registry registry) {
        this.directory = directory;
        this.registry = registry;
    }

    public Overview overview(CurrentUser user) {
        var children = user.childDataScope();
        Map<String, Long> byStage = registry.registeredPoorStudentsByStage(children);
        long total = byStage.values().stream().mapToLong(Long::longValue).sum();
        var kvs = directory.keyVillageSchools(user.scope());
        Map<String, Long> schools = new LinkedHashMap<>();
        schools.put("total", kvs.total());
        schools.putAll(kvs.byType());
        return new Overview(new Overview.RegisteredPoor(total, byStage), directory.keyPoorVillages(user.scope()),
                schools, kvs.teachers(), registry.studentCount(children), registry.householdCount(children, false),
                registry.householdCount(children, true), directory.groupCounts(user.scope()));
    }
}
