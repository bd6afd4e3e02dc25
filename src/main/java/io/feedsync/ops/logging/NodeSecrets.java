package io.feedsync.ops.logging;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import io.feedsync.api.security.SecurityProperties;

/**
 * Registers this node's own secrets with {@link LogSecrets} at startup: the configured API keys,
 * the console users' passwords (and the basic-auth headers made of them) and the database password,
 * which a DEBUG logger of Tomcat, Spring or the JDBC driver could otherwise print.
 */
@Component
class NodeSecrets {

    NodeSecrets(SecurityProperties security, Environment environment) {
        security.apiKeys().values().forEach(apiKey -> LogSecrets.add(apiKey == null ? null : apiKey.key()));
        security.consoleUsers().forEach((user, console) -> {
            if (console != null && console.password() != null) {
                LogSecrets.addBasicCredentials(user, console.password());
            }
        });
        LogSecrets.add(environment.getProperty("spring.datasource.password"));
    }
}
