package org.fuzhi.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Locale;
import java.util.Map;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.Imports;
import org.fuzhi.platform.Jobs;
import org.fuzhi.platform.NotFoundException;
import org.fuzhi.platform.RuleViolationException;
import org.fuzhi.platform.StaleEditException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.MessageSource;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.servlet.ModelAndView;

/**
 * Turns errors into a clear message: JSON for {@code /api/**}, a page for the UI. Never a stack trace.
 */
@ControllerAdvice
class ErrorHandling {

    private static final Logger log = LoggerFactory.getLogger(ErrorHandling.class);
    private final MessageSource messages;

    ErrorHandling(MessageSource messages) {
        this.messages = messages;
    }

    @ExceptionHandler(AccessDeniedException.class)
    Object denied(HttpServletRequest req, HttpServletResponse res, Locale locale) {
        var user = CurrentUser.find();
        if (user.isPresent() && !user.get().role().seesChildren()) {
            // Said plainly: the role never sees children's data, this is not a missing permission to ask for.
            String role = messages.getMessage("enum.Role." + user.get().role(), null, locale);
            return respond(req, HttpStatus.FORBIDDEN, messages.getMessage("error.noChildrenData", new Object[] {role},
                    locale));
        }
        return respond(req, HttpStatus.FORBIDDEN, messages.getMessage("error.forbidden", null, locale));
    }

    @ExceptionHandler(NotFoundException.class)
    Object notFound(HttpServletRequest req, Locale locale) {
        return respond(req, HttpStatus.NOT_FOUND, messages.getMessage("error.notFound", null, locale));
    }

    @ExceptionHandler(StaleEditException.class)
    Object stale(HttpServletRequest req, Locale locale) {
        return respond(req, HttpStatus.CONFLICT, messages.getMessage("error.stale", null, locale));
    }

    @ExceptionHandler(RuleViolationException.class)
    Object rule(HttpServletRequest req, RuleViolationException e, Locale locale) {
        return respond(req, HttpStatus.CONFLICT, messages.getMessage(e.messageKey(), e.args(), locale));
    }

    /** 409 with the running job's URL: a client can follow the job already doing the work. */
    @ExceptionHandler(Jobs.AlreadyRunningException.class)
    Object alreadyRunning(HttpServletRequest req, Jobs.AlreadyRunningException e, Locale locale) {
        String message = messages.getMessage(e.messageKey(), e.args(), locale);
        if (isApi(req)) {
            return ResponseEntity.status(HttpStatus.CONFLICT).header("Location", e.running().url())
                    .body(Map.of("status", 409, "message", message, "job", e.running().url()));
        }
        return page(HttpStatus.CONFLICT, message);
    }

    @ExceptionHandler(Imports.RefusedException.class)
    Object refused(HttpServletRequest req, Imports.RefusedException e) {
        if (isApi(req)) {
            return ResponseEntity.badRequest().body(Map.of("status", 400, "importId", e.importId(),
                    "message", e.getMessage()));
        }
        return page(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    Object tooLarge(HttpServletRequest req, Locale locale) {
        return respond(req, HttpStatus.PAYLOAD_TOO_LARGE, messages.getMessage("error.tooLarge", null, locale));
    }

    /**
     * No database connection came free in time (every one busy with other requests): 503 with a retry hint, not a
     * 500 — the server is busy, nothing is broken, and the request may simply be sent again.
     */
    @ExceptionHandler({CannotGetJdbcConnectionException.class,
            CannotCreateTransactionException.class})
    Object busy(HttpServletRequest req, Locale locale) {
        String message = messages.getMessage("error.busy", null, locale);
        if (isApi(req)) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "2")
                    .body(Map.of("status", 503, "message", message));
        }
        ModelAndView mv = page(HttpStatus.SERVICE_UNAVAILABLE, message);
        return mv;
    }

    /**
     * The database cancelled a statement of this request because the request's time limit was up
     * ({@code fuzhi.web.time-limit}; PostgreSQL and H2 both report it as a query timeout): 503 with a retry hint, like
     * a busy pool.
     */
    @ExceptionHandler(QueryTimeoutException.class)
    Object timeLimit(HttpServletRequest req, Locale locale) {
        log.warn("a request's database work ran past its time limit and was cancelled: {} {}", req.getMethod(),
                req.getRequestURI());
        String message = messages.getMessage("error.timeLimit", null, locale);
        if (isApi(req)) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "5")
                    .body(Map.of("status", 503, "message", message));
        }
        return page(HttpStatus.SERVICE_UNAVAILABLE, message);
    }

    @ExceptionHandler(IllegalArgumentException.class)
    Object badRequest(HttpServletRequest req, IllegalArgumentException e, Locale locale) {
        log.debug("bad request", e);
        return respond(req, HttpStatus.BAD_REQUEST, messages.getMessage("error.badRequest", null, locale));
    }

    private Object respond(HttpServletRequest req, HttpStatus status, String message) {
        if (isApi(req)) {
            return ResponseEntity.status(status).body(Map.of("status", status.value(), "message", message));
        }
        return page(status, message);
    }

    private static ModelAndView page(HttpStatus status, String message) {
        ModelAndView mv = new ModelAndView("error/message", Map.of("status", status.value(), "message", message));
        mv.setStatus(status);
        return mv;
    }

    private static boolean isApi(HttpServletRequest req) {
        return req.getRequestURI().startsWith("/api/");
    }
}
