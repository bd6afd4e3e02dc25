package io.feedsync.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a bad feed configuration into one readable startup failure instead of a stack trace. */
class FeedConfigFailureAnalyzer extends AbstractFailureAnalyzer<FeedConfigException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, FeedConfigException cause) {
        return new FailureAnalysis("Invalid feed configuration: " + cause.getMessage(),
                "Fix " + cause.key() + " in application.yaml or its environment override.", cause);
    }
}
