package org.fuzhi.platform;

import java.util.Locale;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Component;

/**
 * The form pages' way of running a change: it either goes through, or the user reads why it was refused (a broken
 * rule or someone else's newer save) on the same page, with nothing written.
 */
@Component
public class Refusals {

    private final MessageSource messages;

    public Refusals(MessageSource messages) {
        this.messages = messages;
    }

    /** @return null when the action went through, otherwise the reason in the user's language */
    public String attempt(Runnable action, Locale locale) {
        try {
            action.run();
            return null;
        } catch (RuleViolationException e) {
            return messages.getMessage(e.messageKey(), e.args(), locale);
        } catch (StaleEditException e) {
            return messages.getMessage("error.stale", null, locale);
        }
    }
}
