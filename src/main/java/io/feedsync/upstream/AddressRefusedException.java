package io.feedsync.upstream;

import java.net.UnknownHostException;

/**
 * A connection that a feed defined over the API may not make ({@link OutboundRule}): thrown when the
 * host is resolved, before any socket is opened. An {@link UnknownHostException} because that is what
 * a resolver may throw; the message names the host and port, and why, never a credential.
 */
public class AddressRefusedException extends UnknownHostException {

    public AddressRefusedException(String host, int port, String reason) {
        super("connection to " + OutboundRule.hostAndPort(host, port) + " refused: " + reason);
    }

    /** The refusal somewhere in a failure's causes, or null. */
    public static AddressRefusedException in(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof AddressRefusedException refused) {
                return refused;
            }
        }
        return null;
    }
}
