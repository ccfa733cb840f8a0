package org.fuzhi.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class against the machine's PostgreSQL (no Docker here). Skipped with a message when none
 * answers, unless {@code -Dfuzhi.require.postgres=true} (set by CI), where a missing server fails the build.
 * The test database is emptied once per JVM so every run starts from the migrations and the demo county.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(Postgres.Condition.class)
public @interface Postgres {

    String HOST = System.getProperty("fuzhi.test.pg.host", System.getenv().getOrDefault("FUZHI_TEST_PG_HOST", "127.0.0.1"));
    String PORT = System.getProperty("fuzhi.test.pg.port", System.getenv().getOrDefault("FUZHI_TEST_PG_PORT", "5432"));
    String USER = System.getProperty("fuzhi.test.pg.user", System.getenv().getOrDefault("FUZHI_TEST_PG_USER", "postgres"));
    String PASSWORD = System.getProperty("fuzhi.test.pg.password", System.getenv().getOrDefault("FUZHI_TEST_PG_PASSWORD", ""));
    String DATABASE = "fuzhi_test";
    String URL = "jdbc:postgresql://" + HOST + ":" + PORT + "/" + DATABASE;

    final class Condition implements ExecutionCondition {

        private static Boolean available;
        private static String reason;

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            synchronized (Condition.class) {
                if (available == null) {
                    prepare();
                }
            }
            if (available) {
                return ConditionEvaluationResult.enabled("PostgreSQL at " + HOST + ":" + PORT);
            }
            if (Boolean.getBoolean("fuzhi.require.postgres")) {
                throw new IllegalStateException("PostgreSQL is required (fuzhi.require.postgres=true) but " + reason);
            }
            String msg = "SKIPPED: PostgreSQL suite — no PostgreSQL at " + HOST + ":" + PORT + " (" + reason + ")";
            System.out.println(msg);
            return ConditionEvaluationResult.disabled(msg);
        }

        private static void prepare() {
            String admin = "jdbc:postgresql://" + HOST + ":" + PORT + "/postgres";
            try (Connection c = DriverManager.getConnection(admin, USER, PASSWORD)) {
                var rs = c.createStatement().executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
                if (!rs.next()) {
                    c.createStatement().execute("CREATE DATABASE " + DATABASE);
                }
            } catch (SQLException e) {
                available = false;
                reason = e.getMessage();
                return;
            }
            try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD)) {
                c.createStatement().execute("DROP SCHEMA public CASCADE");
                c.createStatement().execute("CREATE SCHEMA public");
                available = true;
            } catch (SQLException e) {
                available = false;
                reason = e.getMessage();
            }
        }
    }
}
