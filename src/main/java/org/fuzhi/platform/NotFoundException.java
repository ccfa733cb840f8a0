package org.fuzhi.platform;

/** The record does not exist (scope violations are {@link org.springframework.security.access.AccessDeniedException}). */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String what) {
        super(what);
    }
}
