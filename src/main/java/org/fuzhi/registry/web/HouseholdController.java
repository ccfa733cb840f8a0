package org.fuzhi.registry.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Year;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.fuzhi.common.Page;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Downloads;
import org.fuzhi.platform.Exports;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.Privacy;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.Scope;
import org.fuzhi.platform.StaleEditException;
import org.fuzhi.region.Directory;
import org.fuzhi.registry.HouseholdView;
import org.fuzhi.registry.PovertyCategory;
import org.fuzhi.registry.Registry;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

@Controller
class HouseholdController {

    private final Registry registry;
    private final MessageSource messages;

    private final Exports exports;
    private final Directory directory;

    HouseholdController(Registry registry, MessageSource messages,
                        Exports exports, Directory directory) {
        this.exports = exports;
        this.directory = directory;
        this.registry = registry;
        this.messages = messages;
    }

    private static final List<Integer> PAGE_SIZES = List.of(20, 50, 100);

    @GetMapping("/households")
    String list(@RequestParam(required = false) String q, @RequestParam(required = false) String region,
                @RequestParam(required = false) String category, @RequestParam(defaultValue = "0") int page,
                @RequestParam(required = false) String sort, @RequestParam(defaultValue = "20") int size,
                Model model) {
        var user = CurrentUser.get();
        user.require(user.role().seesChildren());
        Registry.HouseholdQuery base = query(q, region, category);
        int rows = PAGE_SIZES.contains(size) ? size : 20;
        var result = registry.households(user.childDataScope(), new Registry.HouseholdQuery(base.search(),
                base.regionCode(), base.category(), sort), Math.max(page, 0), rows);
        model.addAttribute("result", result);
        model.addAttribute("sort", sort == null ? "" : sort);
        model.addAttribute("pageSizes", PAGE_SIZES);
        // Villages by name, with their township (12 townships have a 向阳村), never a bare code.
        model.addAttribute("placeNames", directory.placeNames(result.items().stream()
                .map(HouseholdView::regionCode).toList()));
        // The area filter picked by name: the user's area, its townships and their villages.
        if (user.scope().type() == Scope.Type.REGION) {
            model.addAttribute("areas", directory.areaGroups(user.scope().code()));
        }
        model.addAttribute("q", q);
        model.addAttribute("region", region);
        model.addAttribute("category", category);
        model.addAttribute("categories", Arrays.asList(PovertyCategory.values()));
        model.addAttribute("maskNames", !seesNames(user));
        return "registry/households";
    }

    @GetMapping("/households/{id}")
    String detail(@PathVariable long id, Model model) {
        var user = CurrentUser.get();
        model.addAttribute("h", registry.household(user.childDataScope(), id)
                .orElseThrow(() -> new NotFoundException("household")));
        model.addAttribute("maskNames", !seesNames(user));
        model.addAttribute("mayEdit", user.role() == Role.CENTER
                || user.role() == Role.VILLAGE);
        return "registry/household";
    }

    private static void requireEditor(CurrentUser user) {
        user.require(user.role() == Role.CENTER || user.role() == Role.VILLAGE);
    }

    @GetMapping("/households/{id}/edit")
    String editForm(@PathVariable long id, Model model) {
        var user = CurrentUser.get();
        requireEditor(user);
        model.addAttribute("h", registry.household(user.childDataScope(), id)
                .orElseThrow(() -> new NotFoundException("household")));
        model.addAttribute("categories", Arrays.asList(PovertyCategory.values()));
        return "registry/household-edit";
    }

    @PostMapping("/households/{id}/edit")
    String edit(@PathVariable long id, @RequestParam int version, @RequestParam String headName,
                @RequestParam(required = false) PovertyCategory category,
                @RequestParam(required = false) Integer identifiedYear, @RequestParam(required = false) Integer exitedYear,
                @RequestParam(required = false) String incomePerHead,
                @RequestParam(defaultValue = "false") boolean housingSafe, Model model, Locale locale,
                RedirectAttributes redirect) {
        var user = CurrentUser.get();
        requireEditor(user);
        String error = null;
        BigDecimal income = null;
        int thisYear = Year.now().getValue();
        if (headName == null || headName.isBlank() || headName.strip().length() > 50) {
            error = messages.getMessage("household.edit.headRule", null, locale);
        } else if ((identifiedYear != null && (identifiedYear < 1980 || identifiedYear > thisYear))
                || (exitedYear != null && (exitedYear < 1980 || exitedYear > thisYear))) {
            error = messages.getMessage("household.edit.yearRule", new Object[]{thisYear}, locale);
        } else if (identifiedYear != null && exitedYear != null && exitedYear < identifiedYear) {
            error = messages.getMessage("import.rule.exitBeforeIdentified", null, locale);
        } else if (incomePerHead != null && !incomePerHead.isBlank()) {
            try {
                income = new BigDecimal(incomePerHead.strip().replace(",", ""));
                if (income.signum() < 0 || income.scale() > 2) {
                    error = messages.getMessage("import.rule.amount", null, locale);
                } else if (income.compareTo(BigDecimal.valueOf(100_000_000)) > 0) {
                    // The import's plausibility limit; NUMERIC(19,2) would overflow long before 1e20 anyway.
                    error = messages.getMessage("import.rule.range", new Object[]{0, 100000000}, locale);
                }
            } catch (NumberFormatException e) {
                error = messages.getMessage("import.rule.amount", null, locale);
            }
        }
        var edit = new Registry.HouseholdEdit(headName, category, identifiedYear, exitedYear, income, housingSafe);
        if (error == null) {
            try {
                registry.updateHousehold(user.childDataScope(), id, version, edit);
                redirect.addFlashAttribute("saved", true);
                return "redirect:/households/" + id;
            } catch (StaleEditException e) {
                error = messages.getMessage("error.stale", null, locale);
            }
        }
        model.addAttribute("h", registry.household(user.childDataScope(), id)
                .orElseThrow(() -> new NotFoundException("household")));
        model.addAttribute("typed", edit);
        model.addAttribute("typedIncome", incomePerHead);
        model.addAttribute("error", error);
        model.addAttribute("categories", Arrays.asList(PovertyCategory.values()));
        return "registry/household-edit";
    }

    @GetMapping({"/households/export", "/api/v1/households/export"})
    void export(@RequestParam(required = false) String q, @RequestParam(required = false) String region,
                @RequestParam(required = false) String category, HttpServletRequest request,
                HttpServletResponse response, Locale locale) throws IOException {
        CurrentUser user = CurrentUser.get();
        user.require(user.role().seesChildren());
        var query = query(q, region, category);
        long rows = registry.households(user.childDataScope(), query, 0, 1).total();
        exports.send(request, response, new Exports.Export("households", rows,
                messages.getMessage("job.title.exportHouseholds", new Object[]{rows}, locale),
                "/households" + (request.getQueryString() == null ? "" : "?" + request.getQueryString()),
                messages.getMessage("household.export.filename", null, locale) + ".xlsx",
                Downloads.XLSX, out -> registry.exportHouseholds(user, query, out, locale)));
    }

    @GetMapping("/api/v1/households")
    @ResponseBody
    Page<HouseholdView> apiList(@RequestParam(required = false) String q, @RequestParam(required = false) String region,
                                @RequestParam(required = false) String category,
                                @RequestParam(required = false) String sort,
                                @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
        var user = CurrentUser.get();
        user.require(user.role().seesChildren());
        Registry.HouseholdQuery base = query(q, region, category);
        var result = registry.households(user.childDataScope(), new Registry.HouseholdQuery(base.search(),
                base.regionCode(), base.category(), sort), Math.max(page, 0), Math.min(Math.max(size, 1), 500));
        var privacy = Privacy.of(user);
        return new Page<>(result.items().stream().map(h -> h.seenBy(privacy)).toList(),
                result.total(), result.page(), result.size());
    }

    @GetMapping("/api/v1/households/{id}")
    @ResponseBody
    HouseholdView apiOne(@PathVariable long id) {
        var user = CurrentUser.get();
        HouseholdView h = registry.household(user.childDataScope(), id)
                .orElseThrow(() -> new NotFoundException("household"));
        return h.seenBy(Privacy.of(user));
    }

    private static boolean seesNames(CurrentUser user) {
        return Privacy.of(user).fullNames();
    }

    private static Registry.HouseholdQuery query(String q, String region, String category) {
        return new Registry.HouseholdQuery(Privacy.of(CurrentUser.get()).search(q), region, category);
    }
}
