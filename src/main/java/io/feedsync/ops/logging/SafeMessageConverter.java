package io.feedsync.ops.logging;

import java.util.Set;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The log message as logback's {@code %m} writes it, with every known secret masked
 * ({@link LogSecrets}) and every control character escaped ({@link LogEscapes}): whatever a record
 * key, a URL, an upstream's or PostgreSQL's message holds, one event stays one line. feedsync's
 * logback configurations bind it to {@code %m}, {@code %msg} and {@code %message}.
 * <p>
 * A few messages are multi-line by design and carry nothing from outside: Spring Boot's startup
 * failure report and condition evaluation report, and the announcement of a generated API key. Their
 * line breaks stay; every other control character is escaped in them too.
 */
public class SafeMessageConverter extends ClassicConverter {

    private static final Set<String> MULTI_LINE_LOGGERS = Set.of(
            "org.springframework.boot.diagnostics.LoggingFailureAnalysisReporter",
            "org.springframework.boot.autoconfigure.logging.ConditionEvaluationReportLogger",
            "io.feedsync.api.security.ApiKeys");

    @Override
    public String convert(ILoggingEvent event) {
        String message = LogSecrets.mask(event.getFormattedMessage());
        return MULTI_LINE_LOGGERS.contains(event.getLoggerName())
                ? LogEscapes.escapeKeepingLineBreaks(message) : LogEscapes.escape(message);
    }
}
