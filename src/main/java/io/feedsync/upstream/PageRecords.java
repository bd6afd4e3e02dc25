package io.feedsync.upstream;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import org.springframework.util.unit.DataSize;

/**
 * Streams the records of one upstream page: the array at the feed's records pointer is read one
 * element at a time, so a page is never held in memory whole. On the way it picks up the values
 * pagination needs (next cursor, next URL), wherever they stand in the document, and it reads the
 * page to its end so that a truncated or malformed page fails instead of passing as short.
 */
public final class PageRecords implements Iterator<JsonNode>, Closeable {

    private final JsonParser parser;
    private final InputStream body;
    private final URI uri;
    private final String safeUrl;
    private final String recordsPointer;
    private final Set<String> valuePointers;
    private final DataSize maxPageSize;
    private final Map<String, String> values = new HashMap<>();
    private final PageEnding ending;
    private final ErrorBodies errors;
    private final BodyStart start;
    private boolean recordsFound;
    /** The value at the records pointer is {@code null}: an explicit end. */
    private boolean recordsNull;
    /** Whether the body held any JSON at all: an empty body (a 204, say) is an empty page. */
    private boolean anyToken;
    /** Whether it held more than empty objects and arrays: {@code {}} says nothing. */
    private boolean anyContent;
    private boolean inRecords;
    private JsonNode next;
    private int count;

    /**
     * {@code mapper}'s parser must enforce {@code maxPageSize} as its maximum document length
     * ({@link UpstreamPages} makes one per limit): it is the parser that counts the bytes read.
     */
    public PageRecords(ObjectMapper mapper, InputStream body, URI uri, String safeUrl,
                       String recordsPointer, Set<String> valuePointers, DataSize maxPageSize) {
        this(mapper, body, uri, safeUrl, recordsPointer, valuePointers, maxPageSize, PageEnding.FIRST, null);
    }

    /**
     * @param ending when this page may end the export without a record array
     * @param errors how the upstream says "error" with a 200 (null: it does not)
     */
    public PageRecords(ObjectMapper mapper, InputStream body, URI uri, String safeUrl,
                       String recordsPointer, Set<String> valuePointers, DataSize maxPageSize, PageEnding ending,
                       ErrorBodies errors) {
        this.ending = ending;
        this.errors = errors;
        this.uri = uri;
        this.maxPageSize = maxPageSize;
        this.body = body;
        this.safeUrl = safeUrl;
        this.recordsPointer = recordsPointer;
        this.valuePointers = errors == null ? valuePointers : union(valuePointers, errors.pointer());
        this.start = new BodyStart(body);
        try {
            this.parser = mapper.createParser(start);
        } catch (IOException e) {
            throw malformed(e);
        }
        inRecords = seekRecords();
        if (!inRecords) {
            finish();
        }
    }

    @Override
    public boolean hasNext() {
        if (next == null && inRecords) {
            next = readRecord();
        }
        return next != null;
    }

    @Override
    public JsonNode next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        JsonNode record = next;
        next = null;
        return record;
    }

    /** What pagination needs to know about this page; complete once the records are exhausted. */
    public PageOutcome outcome(String linkHeader) {
        return new PageOutcome(uri, count, linkHeader, java.util.Collections.unmodifiableMap(new HashMap<>(values)),
                !recordsFound);
    }

    @Override
    public void close() {
        inRecords = false;
        try {
            parser.close();
        } catch (IOException ignored) {
            // the response is finished with either way
        }
    }

    /**
     * Gives up on the rest of the page: the connection is dropped instead of being drained to the
     * end of the body first, which for a runaway page could take as long as the upstream keeps sending.
     */
    private void abort() {
        if (body instanceof EofSensorInputStream response) {
            try {
                response.abort();
            } catch (IOException ignored) {
                // dropped either way
            }
        }
        close();
    }

    private JsonNode readRecord() {
        try {
            JsonToken token = parser.nextToken();
            if (token == JsonToken.END_ARRAY) {
                inRecords = false;
                finish();
                return null;
            }
            if (token == null) {
                throw malformed(null);
            }
            count++;
            return parser.readValueAsTree();
        } catch (IOException e) {
            abort();
            throw failed(e);
        }
    }

    /** Walks the document until it stands on the first element of the records array. */
    private boolean seekRecords() {
        try {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                anyToken = true;
                anyContent |= token.isScalarValue() || token == JsonToken.FIELD_NAME;
                if (token == JsonToken.FIELD_NAME || token.isStructEnd()) {
                    continue;
                }
                String pointer = pointerOf(token);
                if (token == JsonToken.VALUE_NULL && pointer.equals(recordsPointer)) {
                    recordsNull = true;
                }
                if (token == JsonToken.START_ARRAY && pointer.equals(recordsPointer) && !recordsFound) {
                    recordsFound = true;
                    return true;
                }
                if (valuePointers.contains(pointer)) {
                    values.put(pointer, token.isStructStart() ? parser.readValueAsTree().toString() : scalar(token));
                    refuseErrorPage(pointer);
                } else if (token.isStructStart() && !leadsToInterest(pointer)) {
                    parser.skipChildren();
                }
            }
            return false;
        } catch (IOException e) {
            abort();
            throw failed(e);
        }
    }

    private void finish() {
        if (seekRecords()) {
            throw new UpstreamException(FailureClass.PERMANENT, null, safeUrl,
                    "page has a second array at records pointer '" + recordsPointer + "'");
        }
        close();
        if (!recordsFound && anyToken && !endsWithoutRecords()) {
            throw new UpstreamException(FailureClass.PERMANENT, null, safeUrl, ending.laterPage()
                    ? "page " + ending.page() + " has no record array at '" + recordsPointer + "': " + start.shown()
                            + " (a last page has a null or empty array, is {}, or says has-more false;"
                            + " source.pagination.end-on-missing-records: true takes any page without one for the end)"
                    : "page has no array at records pointer '" + recordsPointer + "'");
        }
    }

    /** A page after the first that ends the export by saying so, or any such page if the feed opted in. */
    private boolean endsWithoutRecords() {
        if (!ending.laterPage()) {
            return false;
        }
        return recordsNull || !anyContent || ending.endOnMissing()
                || (ending.hasMorePointer() != null && "false".equals(values.get(ending.hasMorePointer())));
    }

    /** The first bytes of a body as they pass to the parser, to show what an unexpected page said. */
    private static final class BodyStart extends java.io.FilterInputStream {

        private static final int KEPT = 160;
        private final byte[] kept = new byte[KEPT];
        private int length;

        BodyStart(InputStream body) {
            super(body);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && length < KEPT) {
                kept[length++] = (byte) b;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int count) throws IOException {
            int read = in.read(buffer, offset, count);
            if (read > 0 && length < KEPT) {
                int copied = Math.min(read, KEPT - length);
                System.arraycopy(buffer, offset, kept, length, copied);
                length += copied;
            }
            return read;
        }

        /** What was kept, control characters as spaces, cut with an ellipsis. */
        String shown() {
            String text = new String(kept, 0, length, java.nio.charset.StandardCharsets.UTF_8)
                    .replaceAll("[\\p{Cntrl}\\u2028\\u2029]", " ").strip();
            return text.length() > 120 ? text.substring(0, 120) + "…" : text;
        }
    }

    private String pointerOf(JsonToken token) {
        JsonStreamContext context = parser.getParsingContext();
        if (token.isStructStart()) {
            context = context.getParent();
        }
        return context.pathAsPointer().toString();
    }

    /** A value at the feed's error pointer makes this an error page: nothing of it is to be applied. */
    private void refuseErrorPage(String pointer) {
        String error = errors == null || !pointer.equals(errors.pointer()) ? null : values.get(pointer);
        if (error == null || error.isEmpty() || "false".equals(error)) {
            return;
        }
        abort();
        String shown = error.length() > 300 ? error.substring(0, 300) + "…" : error;
        throw new PageFetchException(errors.failureClass(), 200, safeUrl,
                "upstream answered HTTP 200 with an error at " + pointer + " (source.error-when): " + shown, null);
    }

    private static Set<String> union(Set<String> pointers, String more) {
        Set<String> all = new java.util.HashSet<>(pointers);
        all.add(more);
        return Set.copyOf(all);
    }

    private String scalar(JsonToken token) throws IOException {
        return token == JsonToken.VALUE_NULL ? null : parser.getValueAsString();
    }

    private boolean leadsToInterest(String pointer) {
        if (recordsPointer.startsWith(pointer + "/") || pointer.isEmpty()) {
            return true;
        }
        return valuePointers.stream().anyMatch(p -> p.startsWith(pointer + "/"));
    }

    /**
     * A page that is not JSON, or breaks one of the parser's limits, is permanent; a connection that
     * broke mid-page (reset, closed before the announced length, read timeout) is transient, and
     * the page is worth fetching again.
     */
    private UpstreamException failed(IOException cause) {
        if (cause instanceof StreamConstraintsException limit) {
            // the parser checks the document length only as it loads more input, so past the limit means too large
            if (parser.currentLocation().getByteOffset() > maxPageSize.toBytes()) {
                return new UpstreamException(FailureClass.PERMANENT, null, safeUrl, "page is larger than "
                        + "source.max-page-size (" + PageScreen.show(maxPageSize) + "); stopped reading it there");
            }
            return new UpstreamException(FailureClass.PERMANENT, null, safeUrl,
                    "page breaks a JSON parser limit: " + limit.getOriginalMessage());
        }
        if (cause instanceof JsonProcessingException) {
            return malformed(cause);
        }
        return new PageFetchException(FailureClass.TRANSIENT, null, safeUrl,
                "connection broke while reading the page: " + cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), null);
    }

    private UpstreamException malformed(IOException cause) {
        String detail = cause == null ? "unexpected end of input"
                : cause instanceof JsonProcessingException json ? json.getOriginalMessage() : cause.getMessage();
        return new UpstreamException(FailureClass.PERMANENT, null, safeUrl, "page is not valid JSON: " + detail);
    }
}
