package io.feedsync.ops.logging;

import ch.qos.logback.classic.pattern.ExtendedThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * logback's {@code %ex} / {@code %xEx} (stack trace with packaging data) with each exception's
 * message made safe by {@link SafeThrowableProxy}.
 */
public class SafeThrowableConverter extends ExtendedThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return super.throwableProxyToString(SafeThrowableProxy.of(proxy));
    }
}
