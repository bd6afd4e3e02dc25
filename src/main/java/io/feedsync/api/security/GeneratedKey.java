package io.feedsync.api.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator key feedsync makes up when no key is configured, as Spring Boot does with its
 * generated password. It is saved (owner-only) in {@code feedsync.security.generated-key-file},
 * beside the embedded database's data by default, so that a key an operator saved keeps working
 * after a restart on the same folder; it is logged once, when it is made.
 */
final class GeneratedKey {

    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

    private GeneratedKey() {
    }

    /**
     * The saved key, or a new one: saved and logged when {@code announce}; otherwise (the command
     * line, which serves no API) neither saved nor logged, so that no one can use it.
     */
    static String load(Path file, boolean announce) {
        try {
            if (Files.isRegularFile(file)) {
                String saved = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (saved.length() >= ApiKeys.MIN_LENGTH) {
                    log.info("Using the generated operator API key saved in {}; configure feedsync.security.api-keys "
                            + "(e.g. FEEDSYNC_OPERATOR_KEY) to use your own", file.toAbsolutePath());
                    return saved;
                }
            }
            String key = random();
            if (announce) {
                save(file, key);
                log.warn("""


                        Using generated operator API key: {}

                        Saved in {} so that it survives a restart. This generated key is for local use only. \
                        Configure your own keys under feedsync.security.api-keys (e.g. FEEDSYNC_OPERATOR_KEY) before \
                        feedsync is reachable by anyone else. The console (/actuator/hawtio) takes it as the password \
                        of user "generated".
                        """, key, file.toAbsolutePath());
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read or save the generated API key in " + file.toAbsolutePath(), e);
        }
    }

    private static void save(Path file, String key) throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path written = Files.createTempFile(folder, ".generated-api-key", ".tmp");
        try {
            if (Files.getFileStore(written).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(written, PosixFilePermissions.fromString("rw-------"));
            }
            Files.writeString(written, key + "\n", StandardCharsets.UTF_8);
            Files.move(written, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | RuntimeException e) {
            Files.deleteIfExists(written);
            throw e;
        }
    }

    private static String random() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
