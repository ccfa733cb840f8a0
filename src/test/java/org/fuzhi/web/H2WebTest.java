package org.fuzhi.web;

import org.springframework.test.context.TestPropertySource;

/** The web suite on the embedded H2 database (the default a county installs). */
@TestPropertySource(properties = "spring.datasource.url="
        + "jdbc:h2:mem:fuzhi-web;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH")
class H2WebTest extends AbstractWebTests {
}
