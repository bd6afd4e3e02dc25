package io.feedsync.upstream;

import io.feedsync.ops.logging.LogSecrets;

/** {@code auth.type: bearer} — a static token sent as {@code Authorization: Bearer …}. */
public final class BearerAuthentication implements Authentication {

    private final String headerValue;

    public BearerAuthentication(String token) {
        this.headerValue = "Bearer " + token;
        LogSecrets.add(token);
    }

    @Override
    public void authorize(PageRequest request) {
        request.header("Authorization", headerValue);
    }

    @Override
    public String toString() {
        return "bearer(****)";
    }
}
