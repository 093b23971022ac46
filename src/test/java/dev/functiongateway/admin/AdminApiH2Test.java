package dev.functiongateway.admin;

import org.springframework.test.context.TestPropertySource;

/** The admin API contract on the default store: an H2 file. */
@TestPropertySource(properties = "spring.datasource.url=jdbc:h2:file:./target/test-data/admin-api-${random.uuid}")
class AdminApiH2Test extends AdminApiContract {
}
