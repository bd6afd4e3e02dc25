package io.feedsync.api.security;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;

/** A caller that presented an API key: unauthenticated until {@link ApiKeyAuthenticationProvider} checked it. */
public class ApiKeyAuthentication extends AbstractAuthenticationToken {

    private final String name;
    private String key;

    private ApiKeyAuthentication(String name, String key, Role role) {
        super(role == null ? List.of() : List.of(role.authority()));
        this.name = name;
        this.key = key;
        setAuthenticated(role != null);
    }

    static ApiKeyAuthentication presented(String key) {
        return new ApiKeyAuthentication("api-key", key, null);
    }

    static ApiKeyAuthentication of(ApiKeys.Holder holder) {
        return new ApiKeyAuthentication(holder.name(), null, holder.role());
    }

    @Override
    public Object getCredentials() {
        return key;
    }

    @Override
    public Object getPrincipal() {
        return name;
    }

    @Override
    public void eraseCredentials() {
        key = null;
    }

    @Override
    public String toString() {
        return "ApiKeyAuthentication[name=" + name + ", authorities=" + getAuthorities() + "]";
    }
}
