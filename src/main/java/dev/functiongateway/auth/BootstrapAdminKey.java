package dev.functiongateway.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Makes sure an operator can get in on first start: the configured bootstrap key exists with every scope, or,
 * when none is configured and the store has no key at all, a generated one is written to an owner-only file.
 * A configured key replaces every earlier bootstrap key (configured or generated): rotating the setting
 * revokes the old key.
 * Runs before the listeners open. The key value is never logged.
 */
@Component
public class BootstrapAdminKey implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(BootstrapAdminKey.class);

    private final AuthProperties properties;
    private final ApiKeyService keys;

    public BootstrapAdminKey(AuthProperties properties, ApiKeyService keys) {
        this.properties = properties;
        this.keys = keys;
    }

    @Override
    public void afterPropertiesSet() {
        String configured = properties.bootstrapAdminKey();
        if (configured != null && !configured.isBlank()) {
            if (keys.ensureBootstrapKey(configured).isPresent()) {
                log.info("Created the configured bootstrap admin key");
            }
            return;
        }
        if (!keys.anyKeyExists()) {
            NewApiKey created = keys.ensureBootstrapKey(null).orElseThrow();
            Path file = properties.adminKeyFile().toAbsolutePath();
            writeOwnerOnly(file, created.value());
            log.info("No API key existed: created an admin key and wrote it to {}", file);
        }
    }

    private static void writeOwnerOnly(Path file, String value) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            }
            Files.writeString(file, value + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the generated admin key to " + file, e);
        }
    }
}
