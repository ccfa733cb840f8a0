package org.fuzhi.platform;

import java.io.Serializable;
import java.util.Optional;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** The signed-in account as the rest of the application sees it. */
public record CurrentUser(long id, String username, String displayName, Role role, Scope scope) implements Serializable {

    /** The user of the current request; throws when nobody is signed in. */
    public static CurrentUser get() {
        return find().orElseThrow(() -> new AccessDeniedException("not signed in"));
    }

    public static Optional<CurrentUser> find() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth != null && auth.getPrincipal() instanceof Principal p) {
            return Optional.of(p.currentUser());
        }
        return Optional.empty();
    }

    /** Implemented by the security principal so modules need not know the security classes. */
    public interface Principal {
        CurrentUser currentUser();
    }

    public void require(boolean allowed) {
        if (!allowed) {
            throw new AccessDeniedException("role " + role + " may not do this");
        }
    }

    /**
     * The scope that applies to children's data: none for roles that must not see it casually; for village and
     * township cadres only the children who live in their area (see {@link Scope#residenceOnly()}).
     */
    public Scope childDataScope() {
        if (!role.seesChildren()) {
            return Scope.NONE;
        }
        return role == Role.VILLAGE || role == Role.TOWNSHIP ? scope.byResidence() : scope;
    }
}
