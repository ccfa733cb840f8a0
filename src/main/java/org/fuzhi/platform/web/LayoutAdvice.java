package org.fuzhi.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.fuzhi.platform.CurrentUser;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** Puts the signed-in user and the current path into every page model for the side menu and header. */
@ControllerAdvice(annotations = Controller.class)
class LayoutAdvice {

    private final boolean apiDocs;

    LayoutAdvice(Environment env) {
        this.apiDocs = env.getProperty("springdoc.api-docs.enabled", Boolean.class, true);
    }

    @ModelAttribute("me")
    CurrentUser me() {
        return CurrentUser.find().orElse(null);
    }

    /** Whether the API description is served (off under prod): the menu links it only then. */
    @ModelAttribute("apiDocs")
    boolean apiDocs() {
        return apiDocs;
    }

    /**
     * The list filters in use, as the start of a query string ("q=%E7%8E%8B&stage=PRIMARY&"): the pager and the
     * column headers add page, size and sort to it, so a link never carries an empty filter. GET requests only: a
     * form post's fields (a password) never reach a page model.
     */
    @ModelAttribute("listFilters")
    String listFilters(HttpServletRequest request) {
        return query(request, name -> !name.equals("page") && !name.equals("sort") && !name.equals("size"));
    }

    /** The list's sort and page size in use, as query-string parts ("sort=name&"), or empty. */
    @ModelAttribute("listSort")
    String listSort(HttpServletRequest request) {
        return query(request, "sort"::equals);
    }

    @ModelAttribute("listSize")
    String listSize(HttpServletRequest request) {
        return query(request, "size"::equals);
    }

    /** Filters, sort and size as name/value pairs, for the hidden fields of the pager's "go to page" form. */
    @ModelAttribute("listParams")
    List<Map.Entry<String, String>> listParams(HttpServletRequest request) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (!"GET".equals(request.getMethod())) {
            return out;
        }
        request.getParameterMap().forEach((name, values) -> {
            if (!name.equals("page")) {
                for (String v : values) {
                    if (v != null && !v.isBlank()) {
                        out.add(Map.entry(name, v));
                    }
                }
            }
        });
        return out;
    }

    private static String query(HttpServletRequest request, Predicate<String> keep) {
        StringBuilder sb = new StringBuilder();
        if (!"GET".equals(request.getMethod())) {
            return "";
        }
        request.getParameterMap().forEach((name, values) -> {
            if (!keep.test(name)) {
                return;
            }
            for (String v : values) {
                if (v != null && !v.isBlank()) {
                    sb.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                            .append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&');
                }
            }
        });
        return sb.toString();
    }

    @ModelAttribute("currentPath")
    String currentPath(HttpServletRequest request) {
        return request.getRequestURI();
    }
}
