package io.feedsync.api.security;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who may call feedsync: API keys for programs, {@code feedsync.security.api-keys.<name>.key/role}
 * (and {@code .feeds} / {@code .tags}, the only feeds a scoped key sees),
 * and users for the Hawtio console, {@code feedsync.security.console-users.<name>.password/role}.
 */
@ConfigurationProperties(prefix = "feedsync.security")
public record SecurityProperties(Map<String, ApiKey> apiKeys, Map<String, ConsoleUser> consoleUsers) {

    public SecurityProperties {
        apiKeys = apiKeys == null ? Map.of() : new LinkedHashMap<>(apiKeys);
        consoleUsers = consoleUsers == null ? Map.of() : new LinkedHashMap<>(consoleUsers);
    }

    /** {@code feeds}, {@code tags}: a scoped key sees the feeds named and those carrying one of the tags. */
    public record ApiKey(String key, String role, List<String> feeds, List<String> tags) {

        @Override
        public String toString() {
            return "ApiKey[role=" + role + (feeds == null ? "" : ", feeds=" + feeds) + (tags == null ? "" : ", tags=" + tags)
                    + "]";
        }
    }

    public record ConsoleUser(String password, String role) {

        @Override
        public String toString() {
            return "ConsoleUser[role=" + role + "]";
        }
    }
}
