package org.fuzhi.region.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.fuzhi.platform.AuditTargetNames;
import org.fuzhi.region.Directory;
import org.fuzhi.region.RegionView;
import org.fuzhi.region.SchoolView;
import org.springframework.stereotype.Component;

/** Regions by name. */
@Component
class RegionAuditNames implements AuditTargetNames {

    private final Directory directory;

    RegionAuditNames(Directory directory) {
        this.directory = directory;
    }

    @Override
    public Set<String> targetTypes() {
        return Set.of("region", "school");
    }

    @Override
    public Map<String, String> names(String targetType, Collection<String> ids, Locale locale) {
        Map<String, String> out = new HashMap<>();
        if (targetType.equals("school")) {
            ids.stream().filter(Objects::nonNull).distinct()
                    .forEach(c -> directory.school(c).map(SchoolView::name).ifPresent(n -> out.put(c, n)));
            return out;
        }
        // A village with its township (12 townships have a 向阳村); a code that is no region is left out.
        directory.placeNames(ids.stream().filter(Objects::nonNull).distinct()
                        .filter(c -> directory.region(c).isPresent()).toList())
                .forEach(out::put);
        return out;
    }
}
