package org.fuzhi.platform.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Opaque bearer tokens for the API. Only a SHA-256 of each token is stored, so a database dump does
 * not hand out working tokens; any instance can check a token against the shared table.
 */
@Service
class TokenService {

    private final JdbcClient jdbc;
    private final Duration lifetime;
    private final SecureRandom random = new SecureRandom();

    TokenService(JdbcClient jdbc, @Value("${fuzhi.api.token-hours:8}") long hours) {
        this.jdbc = jdbc;
        this.lifetime = Duration.ofHours(hours);
    }

    record Issued(String token, Instant expiresAt) {
    }

    /** Who a token belongs to, and the credentials version it was issued under. */
    record Owner(long userId, int credentialsVersion) {
    }

    @Transactional
    Issued issue(long userId, int credentialsVersion) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant expires = now.plus(lifetime);
        jdbc.sql("DELETE FROM api_token WHERE expires_at < :now").param("now", Timestamp.from(now)).update();
        jdbc.sql("""
                INSERT INTO api_token (token_hash, user_id, issued_at, expires_at, credentials_version)
                VALUES (:h, :u, :i, :e, :v)""")
                .param("h", sha256(token)).param("u", userId).param("i", Timestamp.from(now)).param("v", credentialsVersion)
                .param("e", Timestamp.from(expires)).update();
        return new Issued(token, expires);
    }

    @Transactional
    void revoke(String token) {
        jdbc.sql("DELETE FROM api_token WHERE token_hash = :h").param("h", sha256(token)).update();
    }

    @Transactional(readOnly = true)
    Optional<Owner> userFor(String token) {
        return jdbc.sql("SELECT user_id, credentials_version FROM api_token WHERE token_hash = :h AND expires_at > :now")
                .param("h", sha256(token)).param("now", Timestamp.from(Instant.now()))
                .query((rs, n) -> new Owner(rs.getLong(1), rs.getInt(2))).optional();
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
