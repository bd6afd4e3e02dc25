package io.feedsync.api.security;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * The console's basic-auth users, {@code feedsync.security.console-users.<name>.password/role}. A password
 * is either already encoded ({@code {bcrypt}$2a$…}) or plain text of at least 16 characters, which is
 * kept only as its SHA-256 digest ({@link ConsoleLogin}), so that the plain value is never kept or
 * compared directly.
 */
final class ConsoleUsers {

    private static final Pattern ENCODED = Pattern.compile("\\{[a-z0-9]+}.+");

    private ConsoleUsers() {
    }

    static PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    static ConsoleLogin from(SecurityProperties properties, PasswordEncoder encoder) {
        Map<String, ConsoleLogin.User> users = new LinkedHashMap<>();
        properties.consoleUsers().forEach((name, user) -> {
            String prefix = "feedsync.security.console-users." + name;
            String password = user == null ? null : user.password();
            if (password == null || password.isEmpty()) {
                return; // an empty env value counts as unset
            }
            boolean encoded = ENCODED.matcher(password).matches();
            if (!encoded && password.length() < ApiKeys.MIN_LENGTH) {
                throw new SecurityConfigException(prefix + ".password",
                        "is shorter than " + ApiKeys.MIN_LENGTH + " characters");
            }
            Role role = Role.parse(prefix + ".role", user.role());
            users.put(name, encoded ? new ConsoleLogin.User(null, password, role)
                    : new ConsoleLogin.User(ConsoleLogin.digest(password), null, role));
        });
        return new ConsoleLogin(users, encoder);
    }
}
