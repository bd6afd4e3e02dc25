package io.feedsync.support;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * feedsync's own secrets — API keys and console passwords as callers present them, right and wrong —
 * and the webhook signing secret of the plans-notify feed: for the tests that none reaches a log.
 */
public final class CallerSecrets {

    public static final String WRONG_KEY = "wrong-key-that-is-long-enough";
    public static final String WEBHOOK_SECRET = "whsec-Test-Signing-Key-0042";

    public static final List<String> ALL = List.of(Api.OPERATOR_KEY, Api.VIEWER_KEY, Api.CONSOLE_PASSWORD,
            Api.WATCHER_PASSWORD, WRONG_KEY, WEBHOOK_SECRET,
            basic(Api.CONSOLE_USER, Api.CONSOLE_PASSWORD), basic(Api.WATCHER_USER, Api.WATCHER_PASSWORD));

    private CallerSecrets() {
    }

    /**
     * Calls that present every kind of credential: a key as X-API-Key and as bearer (a refused body, a
     * role too low), a wrong key, the console's basic auth, a viewer's basic auth where it may not go.
     */
    public static void presentEveryKind(Api api) {
        api.as(Api.apiKey(Api.OPERATOR_KEY)).post("/api/feeds/plans-bearer/runs", "{\"mode\": 7}");
        api.as(Api.bearer(Api.VIEWER_KEY)).post("/api/feeds/plans-bearer/runs", "{}");
        api.as(Api.bearer(WRONG_KEY)).get("/api/feeds");
        api.as(Api.basic(Api.CONSOLE_USER, Api.CONSOLE_PASSWORD)).get("/actuator/hawtio/");
        api.as(Api.basic(Api.WATCHER_USER, Api.WATCHER_PASSWORD)).post("/api/feeds/plans/runs", "{}");
    }

    private static String basic(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
