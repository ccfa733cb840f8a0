package org.fuzhi.region.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.fuzhi.platform.Places;
import org.fuzhi.region.Directory;
import org.fuzhi.region.RegionView;
import org.fuzhi.region.SchoolView;
import org.springframework.stereotype.Component;

/** The region module's answer to the platform's {@link Places}. */
@Component
class DirectoryPlaces implements Places {

    private final Directory directory;

    DirectoryPlaces(Directory directory) {
        this.directory = directory;
    }

    @Override
    public Optional<String> regionOfSchool(String schoolCode) {
        // Read each time, not cached: a school import may move a school to another region, and a copy kept by one
        // instance went on filing that school's audit events and imports under its old county (issue 14). It is one
        // primary-key read next to the insert it tags.
        return directory.school(schoolCode).map(SchoolView::regionCode);
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
