package io.feedsync.api.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** What a caller may do: a viewer reads, an operator also triggers runs and steers routes. */
public enum Role {
    VIEWER,
    OPERATOR;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public GrantedAuthority authority() {
        return new SimpleGrantedAuthority("ROLE_" + name());
    }

    /**
     * The authority of a key with this role scoped to some feeds ({@code SCOPED_VIEWER},
     * {@code SCOPED_OPERATOR}): the API grants it like the role, the console, Jolokia and the
     * actuator (beyond health) do not.
     */
    public GrantedAuthority scopedAuthority() {
        return new SimpleGrantedAuthority("ROLE_SCOPED_" + name());
    }

    /** The role name of {@link #scopedAuthority()}, as {@code hasRole} takes it. */
    public String scoped() {
        return "SCOPED_" + name();
    }

    static Role parse(String key, String value) {
        for (Role role : values()) {
            if (role.value().equals(value == null ? null : value.trim().toLowerCase(Locale.ROOT))) {
                return role;
            }
        }
        throw new SecurityConfigException(key, "unknown role '" + value + "' (expected one of "
                + Arrays.stream(values()).map(Role::value).collect(Collectors.joining(", ")) + ")");
    }
}
