package io.feedsync.upstream;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.feedsync.ops.logging.LogSecrets;

/** {@code auth.type: basic} — RFC 7617 username and password. */
public final class BasicAuthentication implements Authentication {

    private final String username;
    private final String headerValue;

    public BasicAuthentication(String username, String password) {
        this.username = username;
        this.headerValue = "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        LogSecrets.addBasicCredentials(username, password);
    }

    @Override
    public void authorize(PageRequest request) {
        request.header("Authorization", headerValue);
    }

    @Override
    public String toString() {
        return "basic(" + username + ", password ****)";
    }
}
