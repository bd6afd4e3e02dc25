package io.feedsync.api.security;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a refused security setting into one readable startup failure. */
class SecurityConfigFailureAnalyzer extends AbstractFailureAnalyzer<SecurityConfigException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SecurityConfigException cause) {
        return new FailureAnalysis("Invalid security configuration: " + cause.getMessage(),
                "Fix " + cause.key() + " in application.yaml or its environment override.", cause);
    }
}
