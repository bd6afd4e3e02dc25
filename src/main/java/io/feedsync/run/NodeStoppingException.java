package io.feedsync.run;

/** The node is shutting down: its runs stop between pages, as transient failures the next run makes good. */
public class NodeStoppingException extends RuntimeException {

    public NodeStoppingException(String message) {
        super(message);
    }
}
