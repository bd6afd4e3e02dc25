package io.feedsync.api.security;

import org.apache.camel.http.base.HttpHeaderFilterStrategy;
import org.springframework.stereotype.Component;

/**
 * Keeps the caller's credentials out of Camel: the headers that carry them never become message
 * headers, so no route, trace or error log can show them, and no hand-off can forward them upstream.
 * Set on the platform-http component ({@code camel.component.platform-http.header-filter-strategy}).
 */
@Component("credentialHeaderFilter")
public class CredentialHeaderFilter extends HttpHeaderFilterStrategy {

    public CredentialHeaderFilter() {
        getInFilter().add("authorization");
        getInFilter().add("x-api-key");
        getInFilter().add("cookie");
        getInFilter().add("x-xsrf-token");
    }
}
