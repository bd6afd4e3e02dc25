package io.feedsync.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A feed configuration that cannot work; the message names the feed and the key — of each problem,
 * one a line, when there are several.
 */
public class FeedConfigException extends RuntimeException {

    private final String key;
    private final List<FeedConfigException> problems;

    public FeedConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
        this.problems = List.of(this);
    }

    private FeedConfigException(List<FeedConfigException> problems) {
        super(problems.stream().map(Throwable::getMessage).collect(Collectors.joining("\n")));
        this.key = problems.get(0).key();
        this.problems = List.copyOf(problems);
    }

    /** The one problem, or all of them in one exception. */
    public static FeedConfigException of(List<FeedConfigException> problems) {
        return problems.size() == 1 ? problems.get(0) : new FeedConfigException(problems);
    }

    /** The key of the (first) problem. */
    public String key() {
        return key;
    }

    /** Every problem, each naming its key. */
    public List<FeedConfigException> problems() {
        return problems;
    }
}
