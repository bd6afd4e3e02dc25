package io.feedsync.upstream;

/** {@code auth.type: none} — the export is open. */
public record NoAuthentication() implements Authentication {

    @Override
    public void authorize(PageRequest request) {
    }
}
