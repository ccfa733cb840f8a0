package org.fuzhi.region.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.fuzhi.platform.Places;
import org.fuzhi.region.Directory;
import org.fuzhi.region.RegionView;
import org.fuzhi.region.SchoolView;
import org.springframework.stereotype.Component;

/** The region module's answer to the platform's {@link Places}. */
@Component
class DirectoryPlaces implements Places {

    private final Directory directory;
    /** Schools do not move between regions in practice; each is looked up once. */
    private final ConcurrentHashMap<String, String> schoolRegions = new ConcurrentHashMap<>();

    DirectoryPlaces(Directory directory) {
        this.directory = directory;
    }

    @Override
    public Optional<String> regionOfSchool(String schoolCode) {
        String cached = schoolRegions.get(schoolCode);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<String> region = directory.school(schoolCode).map(SchoolView::regionCode);
        region.ifPresent(r -> schoolRegions.put(schoolCode, r));
        return region;
    }

    @Override
    public boolean regionExists(String regionCode) {
        return directory.region(regionCode).isPresent();
    }

    @Override
    public boolean schoolExists(String schoolCode) {
        return directory.school(schoolCode).isPresent();
    }

    @Override
    public List<Village> villagesBelow(String regionCode) {
        List<Village> out = new ArrayList<>();
        collect(regionCode, null, out);
        return out;
    }

    private void collect(String code, String township, List<Village> out) {
        for (RegionView child : directory.children(code)) {
            if ("VILLAGE".equals(child.level())) {
                out.add(new Village(child.code(), child.name(), township));
            } else {
                collect(child.code(), child.name(), out);
            }
        }
    }
}
