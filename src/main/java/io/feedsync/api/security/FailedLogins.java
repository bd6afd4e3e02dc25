package io.feedsync.api.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Failed basic-auth logins, counted per client address and per console user over a window: once
 * either has {@code maxFailures} in the window, further attempts from that address (or for that
 * user) are answered 429 until the window ends, without checking the password at all. Only
 * configured console users are counted by name (an unknown name costs nothing to check, and must not
 * crowd the known ones out); addresses are kept for the {@value #ADDRESSES} most recent.
 */
final class FailedLogins {

    private static final int ADDRESSES = 10_000;

    private final int maxFailures;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Window> byAddress = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
            return size() > ADDRESSES;
        }
    };
    private final Map<String, Window> byUser = new LinkedHashMap<>();

    FailedLogins(int maxFailures, Duration window, Clock clock) {
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
    }

    /** How long the address (or the user, when a console user) must wait, if it must. */
    synchronized Optional<Duration> waitFor(String address, String consoleUser) {
        Instant now = clock.instant();
        Duration wait = blocked(byAddress.get(address), now);
        if (consoleUser != null) {
            Duration user = blocked(byUser.get(consoleUser), now);
            wait = wait == null || user != null && user.compareTo(wait) > 0 ? user : wait;
        }
        return Optional.ofNullable(wait);
    }

    /** One more failure from the address (and for the user, when a console user). */
    synchronized void failed(String address, String consoleUser) {
        Instant now = clock.instant();
        count(byAddress, address, now);
        if (consoleUser != null) {
            count(byUser, consoleUser, now);
        }
    }

    private void count(Map<String, Window> windows, String key, Instant now) {
        Window current = windows.get(key);
        windows.put(key, current == null || !now.isBefore(current.end()) ? new Window(now.plus(window), 1)
                : new Window(current.end(), current.failures() + 1));
    }

    private Duration blocked(Window current, Instant now) {
        return current != null && current.failures() >= maxFailures && now.isBefore(current.end())
                ? Duration.between(now, current.end()) : null;
    }

    private record Window(Instant end, int failures) {
    }
}
