package org.fuzhi.platform;

/**
 * A request that breaks a business rule (an illegal workflow transition, a locked record, a missing reason).
 * Nothing was written. The message key and arguments are resolved in the user's language; the API answers 409.
 */
public class RuleViolationException extends RuntimeException {

    private final String messageKey;
    private final transient Object[] args;

    public RuleViolationException(String messageKey, Object... args) {
        super(messageKey);
        this.messageKey = messageKey;
        this.args = args;
    }

    public String messageKey() {
        return messageKey;
    }

    public Object[] args() {
        return args;
    }
}
