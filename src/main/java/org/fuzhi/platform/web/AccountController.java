package org.fuzhi.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.fuzhi.common.RegionCode;
import org.fuzhi.platform.Accounts;
import org.fuzhi.platform.AreaChoices;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.FieldCrypto;
import org.fuzhi.platform.Refusals;
import org.fuzhi.platform.Role;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.Scope;
import org.springframework.context.MessageSource;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * 账号管理 for the ADMIN (create, disable, re-scope, reset, a county's village accounts) and 修改密码 for everyone,
 * as pages and as API. Temporary passwords are shown once, to the ADMIN who hands them over.
 */
@Controller
class AccountController {

    private final Accounts accounts;
    private final MessageSource messages;
    private final Refusals refusal;
    private final FieldCrypto crypto;
    private final PlaceNames places;
    private final List<AreaChoices> areaChoices;

    AccountController(Accounts accounts, MessageSource messages, Refusals refusal,
                      FieldCrypto crypto, PlaceNames places, List<AreaChoices> areaChoices) {
        this.crypto = crypto;
        this.places = places;
        this.areaChoices = areaChoices;
        this.accounts = accounts;
        this.messages = messages;
        this.refusal = refusal;
    }

    /** A role's kind of scope follows from the role: schools for school roles, nothing for ADMIN, else a region. */
    static Scope scopeFor(Role role, String code) {
        String c = code == null ? null : code.strip();
        return switch (role) {
            case ADMIN -> Scope.NONE;
            case SCHOOL_OPERATOR, SCHOOL_REVIEWER -> Scope.school(c);
            default -> Scope.region(c);
        };
    }

    // ------------------------------------------------------------------ pages

    @GetMapping("/admin/accounts")
    String page(@RequestParam(required = false) String q, @RequestParam(required = false) String sort, Model model,
                Locale locale) {
        if (model.getAttribute("issuedSealed") instanceof List<?> sealed) {
            model.addAttribute("issued", sealed.stream().map(o -> (SealedIssued) o)
                    .map(i -> new Accounts.Issued(i.username(), i.displayName(),
                            crypto.open(FieldCrypto.Kind.TEMPORARY_PASSWORD, i.sealedPassword())))
                    .toList());
        }
        List<Accounts.AccountView> list = accounts.list(CurrentUser.get(), q, sort);
        // Where an account works, by name (a village with its township), never a bare code.
        Map<String, String> scopeNames = new HashMap<>();
        list.forEach(a -> scopeNames.computeIfAbsent(a.scope().toString(), k -> places.name(k, locale)));
        model.addAttribute("accounts", list);
        model.addAttribute("scopeNames", scopeNames);
        model.addAttribute("sort", sort == null ? "" : sort);
        model.addAttribute("q", q);
        model.addAttribute("roles", Role.values());
        // The area of a new account is picked by name (a village with its township, a school by its name).
        List<AreaChoices.Group> groups = areaChoices.stream().flatMap(a -> a.groups().stream()).toList();
        model.addAttribute("areaGroups", groups);
        // The village accounts are opened for a county or a township.
        model.addAttribute("villageParents", groups.stream().flatMap(g -> g.choices().stream())
                .filter(c -> !c.school() && RegionCode.isValid(c.code())
                        && (new RegionCode(c.code()).level() == RegionCode.Level.COUNTY
                        || new RegionCode(c.code()).level() == RegionCode.Level.TOWNSHIP))
                .toList());
        return "platform/accounts";
    }

    @PostMapping("/admin/accounts")
    String create(@RequestParam String username, @RequestParam String displayName, @RequestParam Role role,
                  @RequestParam(required = false) String scopeCode, RedirectAttributes redirect, Locale locale) {
        return act(redirect, locale, () -> List.of(accounts.open(CurrentUser.get(), username, displayName, role,
                scopeFor(role, scopeCode))), "account.created");
    }

    @PostMapping("/admin/accounts/villages")
    String villages(@RequestParam String regionCode, RedirectAttributes redirect, Locale locale) {
        return act(redirect, locale, () -> accounts.openVillageAccounts(CurrentUser.get(),
                regionCode == null ? "" : regionCode.strip()), "account.villagesCreated");
    }

    @PostMapping("/admin/accounts/{username}/reset")
    String reset(@PathVariable String username, RedirectAttributes redirect, Locale locale) {
        return act(redirect, locale, () -> List.of(accounts.resetPassword(CurrentUser.get(), username)),
                "account.reset");
    }

    @PostMapping("/admin/accounts/{username}/enabled")
    String enabled(@PathVariable String username, @RequestParam boolean enabled, RedirectAttributes redirect,
                   Locale locale) {
        return act(redirect, locale, () -> {
            accounts.setEnabled(CurrentUser.get(), username, enabled);
            return List.of();
        }, enabled ? "account.enabled" : "account.disabled");
    }

    @PostMapping("/admin/accounts/{username}/scope")
    String rescope(@PathVariable String username, @RequestParam Role role, @RequestParam(required = false) String scopeCode,
                   RedirectAttributes redirect, Locale locale) {
        return act(redirect, locale, () -> {
            accounts.rescope(CurrentUser.get(), username, role, scopeFor(role, scopeCode));
            return List.of();
        }, "account.rescoped");
    }

    private String act(RedirectAttributes redirect, Locale locale, Supplier<List<Accounts.Issued>> work,
                       String doneKey) {
        List<Accounts.Issued>[] issued = new List[1];
        String error = refusal.attempt(() -> issued[0] = work.get(), locale);
        if (error != null) {
            redirect.addFlashAttribute("error", error);
        } else {
            redirect.addFlashAttribute("done", messages.getMessage(doneKey, new Object[]{issued[0].size()}, locale));
            // The flash map lives in the session, and sessions live in the database: the password crosses it sealed.
            redirect.addFlashAttribute("issuedSealed", new ArrayList<>(issued[0].stream()
                    .map(i -> new SealedIssued(i.username(), i.displayName(),
                            crypto.seal(FieldCrypto.Kind.TEMPORARY_PASSWORD, i.temporaryPassword())))
                    .toList()));
        }
        return "redirect:/admin/accounts";
    }

    @GetMapping("/account/password")
    String passwordPage(Model model) {
        model.addAttribute("mustChange", accounts.mustChangePassword(CurrentUser.get()));
        return "platform/password";
    }

    @PostMapping("/account/password")
    String changePassword(@RequestParam String currentPassword, @RequestParam String newPassword,
                          @RequestParam String confirmPassword, HttpServletRequest request, Model model, Locale locale) {
        String error = !newPassword.equals(confirmPassword) ? messages.getMessage("password.rule.confirm", null, locale)
                : refusal.attempt(() -> accounts.changePassword(CurrentUser.get(), currentPassword, newPassword), locale);
        if (error != null) {
            model.addAttribute("error", error);
            model.addAttribute("mustChange", accounts.mustChangePassword(CurrentUser.get()));
            return "platform/password";
        }
        // Every session of the account ended with the change, this one too: sign in again with the new password.
        var session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        SecurityContextHolder.clearContext();
        return "redirect:/login?changed";
    }

    // ------------------------------------------------------------------ API

    record NewAccountRequest(String username, String displayName, Role role, String scopeCode) {
    }

    record ScopeRequest(Role role, String scopeCode) {
    }

    record VillagesRequest(String regionCode) {
    }

    record PasswordRequest(String currentPassword, String newPassword) {
    }

    @GetMapping("/api/v1/accounts")
    @ResponseBody
    List<Accounts.AccountView> apiList(@RequestParam(required = false) String q) {
        return accounts.list(CurrentUser.get(), q);
    }

    @PostMapping("/api/v1/accounts")
    @ResponseBody
    Accounts.Issued apiCreate(@RequestBody NewAccountRequest body) {
        if (body.role() == null) {
            throw new RuleViolationException("account.rule.scope");
        }
        return accounts.open(CurrentUser.get(), body.username(), body.displayName(), body.role(),
                scopeFor(body.role(), body.scopeCode()));
    }

    @PostMapping("/api/v1/accounts/villages")
    @ResponseBody
    List<Accounts.Issued> apiVillages(@RequestBody VillagesRequest body) {
        return accounts.openVillageAccounts(CurrentUser.get(), body.regionCode() == null ? "" : body.regionCode().strip());
    }

    @PostMapping("/api/v1/accounts/{username}/reset-password")
    @ResponseBody
    Accounts.Issued apiReset(@PathVariable String username) {
        return accounts.resetPassword(CurrentUser.get(), username);
    }

    @PostMapping("/api/v1/accounts/{username}/disable")
    @ResponseBody
    Map<String, Object> apiDisable(@PathVariable String username) {
        accounts.setEnabled(CurrentUser.get(), username, false);
        return Map.of("username", username, "enabled", false);
    }

    @PostMapping("/api/v1/accounts/{username}/enable")
    @ResponseBody
    Map<String, Object> apiEnable(@PathVariable String username) {
        accounts.setEnabled(CurrentUser.get(), username, true);
        return Map.of("username", username, "enabled", true);
    }

    @PutMapping("/api/v1/accounts/{username}/scope")
    @ResponseBody
    Map<String, Object> apiRescope(@PathVariable String username, @RequestBody ScopeRequest body) {
        if (body.role() == null) {
            throw new RuleViolationException("account.rule.scope");
        }
        accounts.rescope(CurrentUser.get(), username, body.role(), scopeFor(body.role(), body.scopeCode()));
        return Map.of("username", username, "role", body.role(), "scopeCode", String.valueOf(body.scopeCode()));
    }

    @PostMapping("/api/v1/account/password")
    @ResponseBody
    Map<String, Object> apiPassword(@RequestBody PasswordRequest body) {
        accounts.changePassword(CurrentUser.get(), body.currentPassword(), body.newPassword());
        return Map.of("changed", true);
    }

    /** A temporary password on its way through the redirect, sealed. */
    record SealedIssued(String username, String displayName, String sealedPassword) implements Serializable {
    }
}
