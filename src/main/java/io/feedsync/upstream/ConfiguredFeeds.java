package io.feedsync.upstream;

/**
 * Which feeds the node's own configuration defines (trusted: their connections are not checked),
 * as opposed to those defined over the API. The feed catalog answers it.
 */
public interface ConfiguredFeeds {

    boolean isConfigured(String feed);
}
