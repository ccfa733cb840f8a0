package org.fuzhi.region.internal;

import java.util.ArrayList;
import java.util.List;
import org.fuzhi.common.RegionCode;
import org.fuzhi.platform.AreaChoices;
import org.fuzhi.platform.Scope;
import org.fuzhi.region.Directory;
import org.fuzhi.region.RegionView;
import org.fuzhi.region.SchoolView;
import org.springframework.stereotype.Component;

/**
 * The areas of the installation for the administrator's account forms: the province and cities, then per county
 * the county, its townships and villages (a village with its township: 12 townships have a 向阳村), then the
 * county's schools by name.
 */
@Component
class RegionAreaChoices implements AreaChoices {

    private final Directory directory;

    RegionAreaChoices(Directory directory) {
        this.directory = directory;
    }

    @Override
    public List<Group> groups() {
        List<Group> out = new ArrayList<>();
        List<Choice> above = new ArrayList<>();
        List<RegionView> counties = new ArrayList<>();
        for (RegionView province : directory.roots()) {
            walk(province, above, counties);
        }
        if (!above.isEmpty()) {
            out.add(new Group(above.get(0).name(), false, above));
        }
        for (RegionView county : counties) {
            List<Choice> places = new ArrayList<>();
            places.add(new Choice(county.code(), county.name(), false));
            for (RegionView township : directory.children(county.code())) {
                places.add(new Choice(township.code(), township.name(), false));
                for (RegionView village : directory.children(township.code())) {
                    places.add(new Choice(village.code(), township.name() + " " + village.name(), false));
                }
            }
            out.add(new Group(county.name(), false, places));
            List<Choice> schools = new ArrayList<>();
            for (SchoolView s : directory.schools(Scope.region(county.code()), new Directory.SchoolQuery(null, null,
                    null, "name"), 0, 10_000).items()) {
                schools.add(new Choice(s.code(), s.name(), true));
            }
            if (!schools.isEmpty()) {
                out.add(new Group(county.name(), true, schools));
            }
        }
        return out;
    }

    /** Province and city levels are choices of their own; counties are collected to be listed with what they hold. */
    private void walk(RegionView r, List<Choice> above, List<RegionView> counties) {
        RegionCode.Level level = new RegionCode(r.code()).level();
        if (level == RegionCode.Level.COUNTY) {
            counties.add(r);
            return;
        }
        if (level.ordinal() > RegionCode.Level.COUNTY.ordinal()) {
            return;
        }
        above.add(new Choice(r.code(), r.name(), false));
        for (RegionView child : directory.children(r.code())) {
            walk(child, above, counties);
        }
    }
}
