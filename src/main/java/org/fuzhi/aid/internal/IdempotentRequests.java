package org.fuzhi.aid.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.function.Supplier;
import org.fuzhi.platform.CurrentUser;
import org.fuzhi.platform.RuleViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code Idempotency-Key} for the requests that move money or change a term: the key is written in the same
 * transaction as the work, so a repeat — a double click, a retry after a lost answer, the same request on another
 * instance at the same moment (it waits on the key's row) — gets the first answer and changes nothing.
 */
@Component
public class IdempotentRequests {

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final JsonMapper json;

    IdempotentRequests(JdbcClient jdbc, PlatformTransactionManager transactions, JsonMapper json) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
        this.json = json;
    }

    /**
     * Runs {@code work} once per key and account; a repeated key returns the stored answer (JSON).
     *
     * @param operation what the key was first used for; the same key for another operation is refused
     */
    public String once(CurrentUser user, String key, String operation, Supplier<Object> work) {
        if (key == null || key.isBlank()) {
            return json.writeValueAsString(work.get());
        }
        if (key.length() > 100) {
            throw new RuleViolationException("aid.rule.idempotencyKey");
        }
        return tx.execute(s -> {
            int inserted = jdbc.sql("""
                    INSERT INTO aid_request (username, idem_key, operation, created_at) VALUES (:u, :k, :o, :at)
                    ON CONFLICT DO NOTHING""").param("u", user.username()).param("k", key).param("o", operation)
                    .param("at", Timestamp.from(Instant.now())).update();
            if (inserted == 0) {
                var first = jdbc.sql("SELECT operation, response FROM aid_request WHERE username = :u AND idem_key = :k")
                        .param("u", user.username()).param("k", key)
                        .query((rs, n) -> new String[]{rs.getString(1), rs.getString(2)}).single();
                if (!first[0].equals(operation)) {
                    throw new RuleViolationException("aid.rule.idempotencyReused");
                }
                return first[1];
            }
            String answer = json.writeValueAsString(work.get());
            jdbc.sql("UPDATE aid_request SET response = :r WHERE username = :u AND idem_key = :k").param("r", answer)
                    .param("u", user.username()).param("k", key).update();
            return answer;
        });
    }
}
