package io.feedsync.upstream;

/** {@code auth.type: bearer} — a static token sent as {@code Authorization: Bearer …}. */
public final class BearerAuthentication implements Authentication {

    private final String headerValue;

    public BearerAuthentication(String token) {
        this.headerValue = "Bearer " + token;
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
