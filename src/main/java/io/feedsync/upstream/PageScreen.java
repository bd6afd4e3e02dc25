package io.feedsync.upstream;

import java.io.Closeable;
import java.io.IOException;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.util.IOHelper;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * The fetch route's check of a successful answer, from the http component's response headers: a
 * page must be JSON and must not announce more bytes than {@code source.max-page-size}. A login
 * or proxy error page served with 200, or a page too large, fails the run as permanent before a
 * byte of it is read. (A page that announces no length is held to the limit while it streams, by
 * the parser: see {@link PageRecords}.)
 */
@Component("pageScreen")
public class PageScreen {

    private static final String EXPECTED = "application/json (or application/*+json)";

    public void screen(Exchange exchange) {
        Message message = exchange.getMessage();
        PageProgress run = exchange.getProperty(PageProgress.PROPERTY, PageProgress.class);
        String url = run.pageUrl();
        String contentType = message.getHeader(Exchange.CONTENT_TYPE, String.class);
        if (!json(contentType)) {
            throw refuse(message, url, "upstream answered HTTP 200 with Content-Type '" + contentType + "', expected "
                    + EXPECTED + "; is the URL an export, or a login or error page?");
        }
        DataSize limit = run.source().maxPageSize();
        Long length = message.getHeader(Exchange.CONTENT_LENGTH, Long.class);
        if (length != null && length > limit.toBytes()) {
            throw refuse(message, url, "page is larger than source.max-page-size (" + show(limit)
                    + "): its Content-Length is " + length + " bytes");
        }
    }

    /** A data size as people write it: 64MB rather than 67108864B. */
    public static String show(DataSize size) {
        long bytes = size.toBytes();
        String[] units = {"TB", "GB", "MB", "KB"};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (10 * (units.length - i));
            if (bytes % unit == 0) {
                return bytes / unit + units[i];
            }
        }
        return bytes + "B";
    }

    /** No Content-Type at all is given the benefit of the doubt: the parser will tell. */
    private static boolean json(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return true;
        }
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return "application".equals(type.getType())
                    && ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"));
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    /** Drops the connection rather than draining a body nobody will read. */
    private static PageFetchException refuse(Message message, String url, String problem) {
        Object body = message.getBody();
        if (body instanceof EofSensorInputStream response) {
            try {
                response.abort();
            } catch (IOException ignored) {
                // dropped either way
            }
        } else if (body instanceof Closeable closeable) {
            IOHelper.close(closeable);
        }
        return new PageFetchException(FailureClass.PERMANENT, null, url, problem, null);
    }
}
