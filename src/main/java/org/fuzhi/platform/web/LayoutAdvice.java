package org.fuzhi.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import org.fuzhi.platform.CurrentUser;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** Puts the signed-in user and the current path into every page model for the side menu and header. */
@ControllerAdvice(annotations = org.springframework.stereotype.Controller.class)
class LayoutAdvice {

    private final boolean apiDocs;

    LayoutAdvice(org.springframework.core.env.Environment env) {
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

    @ModelAttribute("currentPath")
    String currentPath(HttpServletRequest request) {
        return request.getRequestURI();
    }
}
