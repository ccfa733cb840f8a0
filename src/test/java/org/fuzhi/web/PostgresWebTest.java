package org.fuzhi.web;

import org.fuzhi.support.Postgres;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The same web suite on PostgreSQL, the production database. */
@Postgres
class PostgresWebTest extends AbstractWebTests {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry r) {
        r.add("spring.datasource.url", () -> Postgres.URL);
        r.add("spring.datasource.username", () -> Postgres.USER);
        r.add("spring.datasource.password", () -> Postgres.PASSWORD);
    }
}
