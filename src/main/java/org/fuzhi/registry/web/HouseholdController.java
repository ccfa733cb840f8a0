package org.fuzhi.registry.web;

import java.util.Arrays;
import org.fuzhi.common.Page;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.registry.HouseholdView;
import org.fuzhi.registry.PovertyCategory;
import org.fuzhi.registry.Registry;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

@Controller
class HouseholdController {

    private final Registry registry;
    private final org.springframework.context.MessageSource messages;

    HouseholdController(Registry registry, org.springframework.context.MessageSource messages) {
        this.registry = registry;
        this.messages = messages;
    }

    @GetMapping("/households")
    String list(@RequestParam(required = false) String q, @RequestParam(required = false) String region,
                @RequestParam(required = false) String category, @RequestParam(defaultValue = "0") int page,
                Model model) {
        var user = CurrentUser.get();
        model.addAttribute("result", registry.households(user.childDataScope(),
                new Registry.HouseholdQuery(q, region, category), Math.max(page, 0), 20));
        model.addAttribute("q", q);
        model.addAttribute("region", region);
        model.addAttribute("category", category);
        model.addAttribute("categories", Arrays.asList(PovertyCategory.values()));
        model.addAttribute("maskNames", !user.role().mayUnmask() && user.role() != org.fuzhi.platform.Role.VILLAGE);
        return "registry/households";
    }

    @GetMapping("/households/{id}")
    String detail(@PathVariable long id, Model model) {
        var user = CurrentUser.get();
        model.addAttribute("h", registry.household(user.childDataScope(), id)
                .orElseThrow(() -> new NotFoundException("household")));
        model.addAttribute("maskNames", !user.role().mayUnmask() && user.role() != org.fuzhi.platform.Role.VILLAGE);
        return "registry/household";
    }

    @GetMapping({"/households/export", "/api/v1/households/export"})
    void export(@RequestParam(required = false) String q, @RequestParam(required = false) String region,
                @RequestParam(required = false) String category, jakarta.servlet.http.HttpServletResponse response,
                java.util.Locale locale) throws java.io.IOException {
        org.fuzhi.platform.Downloads.prepare(response, org.fuzhi.platform.Downloads.XLSX,
                messages.getMessage("household.export.filename", null, locale) + ".xlsx");
        registry.exportHouseholds(CurrentUser.get(), new Registry.HouseholdQuery(q, region, category),
                response.getOutputStream(), locale);
    }

    @GetMapping("/api/v1/households")
    @ResponseBody
    Page<HouseholdView> apiList(@RequestParam(required = false) String q, @RequestParam(required = false) String region,
                                @RequestParam(required = false) String category,
                                @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
        return registry.households(CurrentUser.get().childDataScope(), new Registry.HouseholdQuery(q, region, category),
                Math.max(page, 0), Math.min(Math.max(size, 1), 500));
    }

    @GetMapping("/api/v1/households/{id}")
    @ResponseBody
    HouseholdView apiOne(@PathVariable long id) {
        return registry.household(CurrentUser.get().childDataScope(), id)
                .orElseThrow(() -> new NotFoundException("household"));
    }
}
