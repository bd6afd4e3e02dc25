package io.feedsync.api.security;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;

/**
 * A browser's basic-auth login to the console with an API key: the key's name as the user, the key
 * as the password (the generated key's user is {@code generated}), so that the console opens on a
 * fresh start before any console user is configured. The key keeps its role.
 */
class ApiKeyConsoleLogin implements AuthenticationProvider {

    private final ApiKeys keys;

    ApiKeyConsoleLogin(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public Authentication authenticate(Authentication login) {
        Object password = login.getCredentials();
        if (!(password instanceof String key)) {
            return null;
        }
        return keys.find(key).filter(holder -> holder.name().equals(login.getName()))
                .map(ApiKeyAuthentication::of)
                .orElseThrow(() -> new BadCredentialsException("bad console credentials"));
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
