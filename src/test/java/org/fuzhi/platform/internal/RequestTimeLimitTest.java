package org.fuzhi.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.fuzhi.support.Postgres;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.jdbc.autoconfigure.JdbcProperties;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * A statement run for a web request is cancelled by the database when the request's time is up; the same statement
 * outside a request (a job) runs to its end. On H2 and on PostgreSQL.
 */
class RequestTimeLimitTest {

    private static void cancelledWithinTheLimit(JdbcTemplate jdbc, String slowQuery) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> RequestTimeLimit.runWithin(Duration.ofSeconds(1), () -> jdbc.queryForObject(slowQuery,
                Object.class)))
                .isInstanceOf(QueryTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void aRequestsSlowQueryIsCancelledOnH2AndAJobsIsNot() {
        // One connection for both, as a pool would lend it: the request's limit must not stay on it.
        var ds = new SingleConnectionDataSource("jdbc:h2:mem:time-limit;DB_CLOSE_DELAY=-1", "sa", "", true);
        JdbcTemplate jdbc = new RequestTimeLimit().jdbcTemplate(ds, new JdbcProperties());
        cancelledWithinTheLimit(jdbc, "SELECT SUM(X * 2) FROM SYSTEM_RANGE(1, 3000000000)");
        // Outside a request no limit applies, on the same connection too: a query of more than the request's second
        // ends normally.
        assertThat(jdbc.queryForObject("SELECT SUM(X) FROM SYSTEM_RANGE(1, 12000000)", Long.class))
                .isEqualTo(72_000_006_000_000L);
    }

    @Nested
    @Postgres
    class OnPostgres {
        @Test
        void aRequestsSlowQueryIsCancelledOnPostgreSql() {
            var ds = new SingleConnectionDataSource(Postgres.URL, Postgres.USER, Postgres.PASSWORD, true);
            JdbcTemplate jdbc = new RequestTimeLimit().jdbcTemplate(ds, new JdbcProperties());
            cancelledWithinTheLimit(jdbc, "SELECT pg_sleep(10)::text");
            assertThat(jdbc.queryForObject("SELECT pg_sleep(1.5)::text", String.class)).isEmpty();
        }
    }
}
