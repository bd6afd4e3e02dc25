package io.feedsync.upstream;

/**
 * The upstream could not give us a page. {@link FailureClass#TRANSIENT} failures are worth
 * retrying; {@link FailureClass#PERMANENT} ones are not. The URL is already stripped of credentials.
 */
public class UpstreamException extends RuntimeException {

    private final FailureClass failureClass;
    private final Integer httpStatus;
    private final String url;

    public UpstreamException(FailureClass failureClass, Integer httpStatus, String url, String message) {
        super(message);
        this.failureClass = failureClass;
        this.httpStatus = httpStatus;
        this.url = url;
    }

    public FailureClass failureClass() {
        return failureClass;
    }

    public Integer httpStatus() {
        return httpStatus;
    }

    public String url() {
        return url;
    }
}
