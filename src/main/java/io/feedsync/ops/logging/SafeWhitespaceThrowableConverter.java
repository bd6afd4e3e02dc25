package io.feedsync.ops.logging;

import ch.qos.logback.classic.spi.IThrowableProxy;
import org.springframework.boot.logging.logback.ExtendedWhitespaceThrowableProxyConverter;

/**
 * Spring Boot's {@code %wEx} (the stack trace set off by blank lines, as its console and file
 * patterns end) with each exception's message made safe by {@link SafeThrowableProxy}.
 */
public class SafeWhitespaceThrowableConverter extends ExtendedWhitespaceThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return super.throwableProxyToString(SafeThrowableProxy.of(proxy));
    }
}
