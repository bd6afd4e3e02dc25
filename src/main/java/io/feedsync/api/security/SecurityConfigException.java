package io.feedsync.api.security;

/** A security setting feedsync refuses to start with; the message names the key, never its value. */
public class SecurityConfigException extends RuntimeException {

    private final String key;

    public SecurityConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
