package io.feedsync.run;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

import org.springframework.stereotype.Component;

/**
 * The feeds defined over the API whose current stored version this node refuses to run (it fails
 * the checks of a definition — one stored before a check was added, or one naming a secret this
 * node lacks), each with its problems, for {@code /actuator/health}. Kept by {@link DefinedFeeds}.
 */
@Component
public class RefusedDefinitions {

    /** The version refused and why: one problem a line, each naming its key, never a secret's value. */
    public record Refusal(int version, List<String> problems) {
    }

    private final Map<String, Refusal> refused = new ConcurrentSkipListMap<>();

    public Optional<Refusal> of(String feed) {
        return Optional.ofNullable(refused.get(feed));
    }

    /** By feed name, in name order. */
    public Map<String, Refusal> all() {
        return java.util.Collections.unmodifiableMap(refused);
    }

    void refuse(String feed, Refusal refusal) {
        refused.put(feed, refusal);
    }

    void forget(String feed) {
        refused.remove(feed);
    }
}
