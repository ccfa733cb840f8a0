package org.fuzhi.region.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.fuzhi.common.Page;
import org.fuzhi.common.SchoolType;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Downloads;
import org.fuzhi.platform.Exports;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.Xlsx;
import org.fuzhi.region.Directory;
import org.fuzhi.region.RegionView;
import org.fuzhi.region.SchoolView;
import org.springframework.context.MessageSource;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

@Controller
class SchoolController {

    private final Directory directory;
    private final MessageSource messages;
    private final Exports exports;

    SchoolController(Directory directory, MessageSource messages,
                     Exports exports) {
        this.exports = exports;
        this.directory = directory;
        this.messages = messages;
    }

    private static final List<Integer> PAGE_SIZES = List.of(20, 50, 100);

    @GetMapping("/schools")
    String list(@RequestParam(required = false) String q, @RequestParam(required = false) String type,
                @RequestParam(required = false) String region, @RequestParam(defaultValue = "0") int page,
                @RequestParam(required = false) String sort, @RequestParam(defaultValue = "20") int size,
                Model model) {
        var user = CurrentUser.get();
        int rows = PAGE_SIZES.contains(size) ? size : 20;
        var result = directory.schools(user.scope(), new Directory.SchoolQuery(q, type, region, sort),
                Math.max(page, 0), rows);
        model.addAttribute("result", result);
        model.addAttribute("sort", sort == null ? "" : sort);
        model.addAttribute("pageSizes", PAGE_SIZES);
        // Where a school is, as a person reads it: the village with its township.
        model.addAttribute("placeNames", directory.placeNames(result.items().stream().map(SchoolView::regionCode)
                .filter(Objects::nonNull).toList()));
        if (user.scope().type() == Scope.Type.REGION) {
            model.addAttribute("areas", directory.areaGroups(user.scope().code()));
        }
        model.addAttribute("q", q);
        model.addAttribute("type", type);
        model.addAttribute("region", region);
        model.addAttribute("types", Arrays.asList(SchoolType.values()));
        return "region/schools";
    }

    @GetMapping("/schools/{code}")
    String detail(@PathVariable String code, Model model) {
        SchoolView s = visibleSchool(code);
        model.addAttribute("school", s);
        model.addAttribute("groups", directory.groupsOf(code));
        if (s.regionCode() != null) {
            model.addAttribute("ancestry", directory.ancestry(s.regionCode()));
        }
        return "region/school";
    }

    @GetMapping("/regions")
    String regions(@RequestParam(required = false) String code, Model model) {
        var user = CurrentUser.get();
        String start = code;
        if (start == null) {
            start = switch (user.scope().type()) {
                case REGION -> user.scope().code();
                case SCHOOL -> directory.school(user.scope().code()).map(SchoolView::regionCode).orElse(null);
                case NONE -> null;
            };
        }
        RegionView region = start == null ? null : directory.region(start).orElseThrow(() -> new NotFoundException("region"));
        model.addAttribute("region", region);
        model.addAttribute("ancestry", region == null ? List.of() : directory.ancestry(region.code()));
        model.addAttribute("children", region == null ? List.of() : directory.children(region.code()));
        return "region/regions";
    }

    @GetMapping({"/schools/export", "/api/v1/schools/export"})
    void export(@RequestParam(required = false) String q, @RequestParam(required = false) String type,
                @RequestParam(required = false) String region, @RequestParam(required = false) String sort,
                HttpServletRequest request,
                HttpServletResponse response, Locale locale) throws IOException {
        CurrentUser user = CurrentUser.get();
        // In the order the list shows it.
        Directory.SchoolQuery query = new Directory.SchoolQuery(q, type, region, sort);
        // A province lists tens of thousands of schools: a long list is written by a job like the other exports.
        long rows = directory.schools(user.scope(), query, 0, 1).total();
        exports.send(request, response, new Exports.Export("schools", rows,
                messages.getMessage("job.title.exportSchools", new Object[]{rows}, locale),
                "/schools" + (request.getQueryString() == null ? "" : "?" + request.getQueryString()),
                messages.getMessage("school.export.filename", null, locale) + ".xlsx",
                Downloads.XLSX, out -> directory.exportSchools(user, query, out, locale)));
    }

    /** The subdivisions of a region (public administrative data) as .xlsx. */
    @GetMapping({"/regions/export", "/api/v1/regions/{code}/children/export"})
    void exportRegions(@RequestParam(required = false) String code,
                       @PathVariable(name = "code", required = false) String pathCode,
                       HttpServletResponse response, Locale locale)
            throws IOException {
        String parent = pathCode != null ? pathCode : code;
        RegionView region = directory.region(parent).orElseThrow(() -> new NotFoundException("region"));
        Downloads.prepare(response, Downloads.XLSX,
                region.name() + ".xlsx");
        List<String> header = Stream.of("codeColumn", "name", "level", "keyPoor", "children")
                .map(k -> messages.getMessage("region." + k, null, locale)).toList();
        try (Xlsx x = new Xlsx(response.getOutputStream(), region.name(), header)) {
            for (RegionView c : directory.children(region.code())) {
                x.row(List.of(c.code(), c.name(), messages.getMessage("enum.Level." + c.level(), null, locale),
                        messages.getMessage(c.keyPoorVillage() ? "filter.yes" : "filter.no", null, locale),
                        String.valueOf(c.childCount())));
            }
        }
    }

    @GetMapping("/api/v1/schools")
    @ResponseBody
    Page<SchoolView> apiList(@RequestParam(required = false) String q, @RequestParam(required = false) String type,
                             @RequestParam(required = false) String region, @RequestParam(defaultValue = "0") int page,
                             @RequestParam(defaultValue = "50") int size, @RequestParam(required = false) String sort) {
        return directory.schools(CurrentUser.get().scope(), new Directory.SchoolQuery(q, type, region, sort),
                Math.max(page, 0), Math.min(Math.max(size, 1), 500));
    }

    @GetMapping("/api/v1/schools/{code}")
    @ResponseBody
    Map<String, Object> apiOne(@PathVariable String code) {
        SchoolView s = visibleSchool(code);
        return Map.of("school", s, "groups", directory.groupsOf(code));
    }

    @GetMapping("/api/v1/regions/{code}")
    @ResponseBody
    RegionView apiRegion(@PathVariable String code) {
        return directory.region(code).orElseThrow(() -> new NotFoundException("region"));
    }

    /** Divisions are public administrative data: any signed-in user may browse them. */
    @GetMapping("/api/v1/regions/{code}/children")
    @ResponseBody
    List<RegionView> apiChildren(@PathVariable String code) {
        directory.region(code).orElseThrow(() -> new NotFoundException("region"));
        return directory.children(code);
    }

    private SchoolView visibleSchool(String code) {
        SchoolView s = directory.school(code).orElseThrow(() -> new NotFoundException("school"));
        if (!Directory.visible(CurrentUser.get().scope(), s)) {
            throw new AccessDeniedException("school outside scope");
        }
        return s;
    }
}
