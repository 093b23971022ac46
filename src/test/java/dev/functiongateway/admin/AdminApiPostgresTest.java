package dev.functiongateway.admin;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.functiongateway.support.TestPostgres;

/** The admin API contract on real PostgreSQL. */
class AdminApiPostgresTest extends AdminApiContract {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        TestPostgres.useNewDatabase(registry);
    }
}
