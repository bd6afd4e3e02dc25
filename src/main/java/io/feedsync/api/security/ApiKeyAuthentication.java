package io.feedsync.api.security;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;

/** A caller that presented an API key: unauthenticated until {@link ApiKeyAuthenticationProvider} checked it. */
public class ApiKeyAuthentication extends AbstractAuthenticationToken {

    private final String name;
    private final FeedScope scope;
    private String key;

    /** A scoped key's authority is its role's scoped form: the rules that grant the role do not grant it. */
    private ApiKeyAuthentication(String name, String key, Role role, FeedScope scope) {
        super(role == null ? List.of() : List.of(scope.limited() ? role.scopedAuthority() : role.authority()));
        this.name = name;
        this.key = key;
        this.scope = scope;
        setAuthenticated(role != null);
    }

    static ApiKeyAuthentication presented(String key) {
        return new ApiKeyAuthentication("api-key", key, null, FeedScope.ALL);
    }

    static ApiKeyAuthentication of(ApiKeys.Holder holder) {
        return new ApiKeyAuthentication(holder.name(), null, holder.role(), holder.scope());
    }

    /** The feeds this key sees. */
    FeedScope scope() {
        return scope;
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
