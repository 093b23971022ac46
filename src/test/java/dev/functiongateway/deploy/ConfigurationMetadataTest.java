package dev.functiongateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every {@code gateway.*} key is documented from its properties record (the configuration processor writes the
 * descriptions and defaults the records state), and the operator's application.yml shows each key with that
 * same default, so the one place a default is stated is the record.
 */
class ConfigurationMetadataTest {

    private static final Path METADATA = Path.of("target", "classes", "META-INF", "spring-configuration-metadata.json");

    @Test
    void everyGatewayKeyHasADescriptionAndTheOperatorsFileShowsItsDefault() throws IOException {
        JsonNode metadata = JsonMapper.builder().build().readTree(Files.readString(METADATA));
        String operatorFile = Files.readString(Path.of("application.yml"));
        List<String> keys = new ArrayList<>();
        for (JsonNode property : metadata.get("properties")) {
            String name = property.get("name").asString();
            if (!name.startsWith("gateway.")) {
                continue;
            }
            keys.add(name);
            assertThat(property.path("description").asString("")).as("description of " + name).hasSizeGreaterThan(10);
            String leaf = name.substring(name.lastIndexOf('.') + 1);
            String shown = property.has("defaultValue") ? " " + property.get("defaultValue").asString() : "";
            assertThat(operatorFile).as(name + " shown in application.yml with its default")
                    .containsPattern(Pattern.compile("(?m)^#\\s+" + Pattern.quote(leaf + ":" + shown) + "$"));
        }
        assertThat(keys).contains("gateway.registry.refresh-interval", "gateway.proxy.drain-time",
                "gateway.routing.queue-max-size", "gateway.observability.access-log", "gateway.auth.admin-key-file");
    }
}
