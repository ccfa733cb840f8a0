package org.fuzhi.region.internal;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.fuzhi.platform.SchoolRegions;
import org.fuzhi.region.Directory;
import org.fuzhi.region.SchoolView;
import org.springframework.stereotype.Component;

/** Schools do not move between regions in practice; their region is looked up once per school and kept. */
@Component
class DirectorySchoolRegions implements SchoolRegions {

    private final Directory directory;
    private final ConcurrentHashMap<String, String> cache = new ConcurrentHashMap<>();

    DirectorySchoolRegions(Directory directory) {
        this.directory = directory;
    }

    @Override
    public Optional<String> regionOf(String schoolCode) {
        String cached = cache.get(schoolCode);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<String> region = directory.school(schoolCode).map(SchoolView::regionCode);
        region.ifPresent(r -> cache.put(schoolCode, r));
        return region;
    }
}
