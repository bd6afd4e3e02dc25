package io.feedsync.ops.logging;

import java.util.Arrays;

import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/**
 * An exception as the log layout shows it: its message (and those of its causes and suppressed
 * exceptions) with known secrets masked and control characters escaped, so that a stack trace keeps
 * its own lines but no line of a message can pass for a log event. The frames are the JVM's.
 */
final class SafeThrowableProxy implements IThrowableProxy {

    private final IThrowableProxy proxy;

    private SafeThrowableProxy(IThrowableProxy proxy) {
        this.proxy = proxy;
    }

    static IThrowableProxy of(IThrowableProxy proxy) {
        return proxy == null || proxy instanceof SafeThrowableProxy ? proxy : new SafeThrowableProxy(proxy);
    }

    @Override
    public String getMessage() {
        return LogEscapes.escape(LogSecrets.mask(proxy.getMessage()));
    }

    @Override
    public String getClassName() {
        return proxy.getClassName();
    }

    @Override
    public StackTraceElementProxy[] getStackTraceElementProxyArray() {
        return proxy.getStackTraceElementProxyArray();
    }

    @Override
    public int getCommonFrames() {
        return proxy.getCommonFrames();
    }

    @Override
    public IThrowableProxy getCause() {
        return of(proxy.getCause());
    }

    @Override
    public IThrowableProxy[] getSuppressed() {
        IThrowableProxy[] suppressed = proxy.getSuppressed();
        return suppressed == null ? null : Arrays.stream(suppressed).map(SafeThrowableProxy::of).toArray(IThrowableProxy[]::new);
    }

    @Override
    public boolean isCyclic() {
        return proxy.isCyclic();
    }
}
