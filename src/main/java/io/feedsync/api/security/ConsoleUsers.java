package io.feedsync.api.security;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * The console's basic-auth users, {@code feedsync.security.console-users.<name>.password/role}. A password
 * is either already encoded ({@code {bcrypt}$2a$…}) or plain text of at least 16 characters, which is
 * bcrypt-encoded at startup so that the plain value is never kept or compared directly.
 */
final class ConsoleUsers {

    private static final Pattern ENCODED = Pattern.compile("\\{[a-z0-9]+}.+");

    private ConsoleUsers() {
    }

    static PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    static InMemoryUserDetailsManager from(SecurityProperties properties, PasswordEncoder encoder) {
        List<UserDetails> users = new ArrayList<>();
        properties.consoleUsers().forEach((name, user) -> {
            String prefix = "feedsync.security.console-users." + name;
            String password = user == null ? null : user.password();
            if (password == null || password.isEmpty()) {
                return; // an empty env value counts as unset
            }
            if (!ENCODED.matcher(password).matches() && password.length() < ApiKeys.MIN_LENGTH) {
                throw new SecurityConfigException(prefix + ".password",
                        "is shorter than " + ApiKeys.MIN_LENGTH + " characters");
            }
            Role role = Role.parse(prefix + ".role", user.role());
            users.add(User.withUsername(name)
                    .password(ENCODED.matcher(password).matches() ? password : encoder.encode(password))
                    .authorities(role.authority())
                    .build());
        });
        return new InMemoryUserDetailsManager(users);
    }
}
