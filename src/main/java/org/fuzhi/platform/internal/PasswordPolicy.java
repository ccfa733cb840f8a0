package org.fuzhi.platform.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.fuzhi.platform.RuleViolationException;
import org.springframework.stereotype.Component;

/**
 * 密码规则 — at least 10 characters (a phrase is fine), not containing the user name, not one of the passwords at the
 * top of published leak lists. No rules about symbols: they make people write passwords down, length does not.
 */
@Component
class PasswordPolicy {

    static final int MIN_LENGTH = 10;
    static final int MAX_LENGTH = 128;
    /** No 0/O, 1/l/I: a temporary password is read out over the phone to a village cadre. */
    private static final String TEMPORARY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789";

    private final Set<String> common = new HashSet<>();
    private final SecureRandom random = new SecureRandom();

    PasswordPolicy() {
        try (var in = PasswordPolicy.class.getResourceAsStream("/platform/common-passwords.txt");
             var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            r.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .forEach(l -> common.add(l.toLowerCase(Locale.ROOT)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Throws a {@link RuleViolationException} naming the rule the password breaks. */
    void check(String username, String password) {
        if (password == null || password.codePointCount(0, password.length()) < MIN_LENGTH) {
            throw new RuleViolationException("password.rule.length", MIN_LENGTH);
        }
        if (password.length() > MAX_LENGTH) {
            throw new RuleViolationException("password.rule.tooLong", MAX_LENGTH);
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (username != null && !username.isBlank() && lower.contains(username.toLowerCase(Locale.ROOT))) {
            throw new RuleViolationException("password.rule.username");
        }
        if (common.contains(lower) || lower.chars().distinct().count() < 4) {
            throw new RuleViolationException("password.rule.common");
        }
    }

    /** A temporary password handed to a user who must change it at the first sign-in. */
    String temporary() {
        StringBuilder sb = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            sb.append(TEMPORARY_ALPHABET.charAt(random.nextInt(TEMPORARY_ALPHABET.length())));
        }
        return sb.toString();
    }
}
