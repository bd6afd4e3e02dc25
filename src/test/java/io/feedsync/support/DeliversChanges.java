package io.feedsync.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.test.context.TestPropertySource;

/**
 * Gives the plans-notify feed its webhooks on the loopback upstream ({@code /hooks/changes},
 * {@code /hooks/runs}) in this test's application only: the applications of other tests, cached
 * in the same JVM on the same database, write its change events but deliver none, so that what
 * this application's metrics and logs show is all that was delivered.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@TestPropertySource(properties = {
        "feedsync.feeds.plans-notify.notify.changes[0]=${test.upstream}/hooks/changes",
        "feedsync.feeds.plans-notify.notify.runs[0]=${test.upstream}/hooks/runs"})
public @interface DeliversChanges {
}
