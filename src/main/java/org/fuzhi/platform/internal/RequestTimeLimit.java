package org.fuzhi.platform.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.jdbc.autoconfigure.JdbcProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A time limit for the database work of one web request (issue 13.2). Every statement a request thread runs gets the
 * time the request has left as its query timeout, so the database itself cancels a query that would outlive it —
 * before, a province's abandoned overview queries ran on for 44–111 s after their clients had given up, holding the
 * pool. Work that runs as a job (imports, rounds, exports) runs on the job's own thread and has no such limit.
 */
@Configuration(proxyBeanMethods = false)
class RequestTimeLimit {

    private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();

    /** The deadline (System.nanoTime) of the request this thread serves, or null outside a request. */
    static Long deadline() {
        return DEADLINE.get();
    }

    static void runWithin(Duration limit, Runnable work) {
        Long before = DEADLINE.get();
        DEADLINE.set(System.nanoTime() + limit.toNanos());
        try {
            work.run();
        } finally {
            if (before == null) {
                DEADLINE.remove();
            } else {
                DEADLINE.set(before);
            }
        }
    }

    @Bean
    OncePerRequestFilter requestTimeLimitFilter(@Value("${fuzhi.web.time-limit:30s}") Duration limit) {
        return new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                DEADLINE.set(System.nanoTime() + limit.toNanos());
                try {
                    chain.doFilter(request, response);
                } finally {
                    DEADLINE.remove();
                }
            }
        };
    }

    /** The application's JdbcTemplate (and through it JdbcClient), with Spring Boot's settings and the limit above. */
    @Bean
    JdbcTemplate jdbcTemplate(DataSource dataSource, JdbcProperties properties) {
        JdbcTemplate t = new TimeLimitedJdbcTemplate(dataSource);
        JdbcProperties.Template p = properties.getTemplate();
        t.setFetchSize(p.getFetchSize());
        t.setMaxRows(p.getMaxRows());
        if (p.getQueryTimeout() != null) {
            t.setQueryTimeout((int) p.getQueryTimeout().toSeconds());
        }
        return t;
    }

    static final class TimeLimitedJdbcTemplate extends JdbcTemplate {

        TimeLimitedJdbcTemplate(DataSource dataSource) {
            super(dataSource);
        }

        @Override
        protected void applyStatementSettings(Statement stmt) throws SQLException {
            super.applyStatementSettings(stmt);
            // Set on every statement, also outside a request: H2 keeps a timeout on the connection (its session), so a
            // pooled connection would otherwise hand a request's last seconds on to the job that borrows it next.
            // The configured timeout (-1: none configured, 0: no limit) and a transaction's remaining time still count.
            int seconds = Math.max(0, getQueryTimeout());
            if (TransactionSynchronizationManager.getResource(obtainDataSource()) instanceof ConnectionHolder holder
                    && holder.hasTimeout()) {
                seconds = tighter(seconds, holder.getTimeToLiveInSeconds());
            }
            Long deadline = DEADLINE.get();
            if (deadline != null) {
                long left = deadline - System.nanoTime();
                // JDBC counts whole seconds; a request with less than one left still gets one (0 would mean none).
                seconds = tighter(seconds, (int) Math.max(1, (left + 999_999_999L) / 1_000_000_000L));
            }
            stmt.setQueryTimeout(seconds);
        }

        /** The tighter of two timeouts in seconds, where 0 means none. */
        private static int tighter(int a, int b) {
            return a == 0 ? b : b == 0 ? a : Math.min(a, b);
        }
    }
}
