package io.feedsync.ops.logging;

import ch.qos.logback.core.PropertyDefinerBase;

/**
 * Which file appender {@code logback-spring.xml} includes: Spring Boot's own (its rolling file,
 * same pattern and settings) when {@code logging.file.name} or {@code logging.file.path} is set —
 * Spring Boot then names the file in {@code LOG_FILE} — and none otherwise, as without a logback
 * configuration of feedsync's own.
 */
public class LogFileAppender extends PropertyDefinerBase {

    static final String FILE = "io/feedsync/ops/logging/file-appender.xml";
    static final String NONE = "io/feedsync/ops/logging/no-file-appender.xml";

    @Override
    public String getPropertyValue() {
        String file = getContext().getProperty("LOG_FILE");
        if (file == null) {
            file = System.getProperty("LOG_FILE");
        }
        return file == null || file.isBlank() ? NONE : FILE;
    }
}
