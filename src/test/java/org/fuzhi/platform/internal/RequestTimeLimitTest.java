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
import org.springframework.jdbc.datasource.DriverManagerDataSource;

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
        var ds = new DriverManagerDataSource("jdbc:h2:mem:time-limit;DB_CLOSE_DELAY=-1", "sa", "");
        JdbcTemplate jdbc = new RequestTimeLimit().jdbcTemplate(ds, new JdbcProperties());
        cancelledWithinTheLimit(jdbc, "SELECT SUM(X * 2) FROM SYSTEM_RANGE(1, 3000000000)");
        // Outside a request no limit applies: a query of a few seconds ends normally.
        assertThat(jdbc.queryForObject("SELECT SUM(X) FROM SYSTEM_RANGE(1, 3000000)", Long.class))
                .isEqualTo(4_500_001_500_000L);
    }

    @Nested
    @Postgres
    class OnPostgres {
        @Test
        void aRequestsSlowQueryIsCancelledOnPostgreSql() {
            var ds = new DriverManagerDataSource(Postgres.URL, Postgres.USER, Postgres.PASSWORD);
            JdbcTemplate jdbc = new RequestTimeLimit().jdbcTemplate(ds, new JdbcProperties());
            cancelledWithinTheLimit(jdbc, "SELECT pg_sleep(10)::text");
            assertThat(jdbc.queryForObject("SELECT pg_sleep(1.5)::text", String.class)).isEmpty();
        }
    }
}
