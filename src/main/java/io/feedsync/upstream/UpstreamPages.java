package io.feedsync.upstream;

import java.io.Closeable;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.util.IOHelper;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;


/**
 * The fetch steps of the sync route: builds each page request (URL, credentials), checks each
 * response, streams its records to the split, and asks the feed's pagination for the next page.
 */
@Component("upstreamPages")
public class UpstreamPages {

    private static final String TOKEN_RENEWED = "feedsyncTokenRenewed";
    /** Camel counts redeliveries in these headers; every other header is cleared between pages. */
    private static final String REDELIVERY_HEADERS = "CamelRedelivery*";

    /** How deep a page's JSON may nest (Jackson's own default, set here on purpose). */
    static final int MAX_NESTING_DEPTH = 1000;

    private final ObjectMapper mapper;
    private final OutboundAddresses outbound;
    private final StartUrl startUrl;
    private final Map<DataSize, ObjectMapper> pageReaders = new ConcurrentHashMap<>();

    public UpstreamPages(ObjectMapper mapper, OutboundAddresses outbound, ObjectProvider<StartUrl> startUrl) {
        this.mapper = mapper;
        this.outbound = outbound;
        this.startUrl = startUrl.getIfAvailable(() -> configured -> configured);
    }

    /** The first page: the export's, or for a run that resumes an unfinished one, the page it stopped before. */
    public void first(@ExchangeProperty(PageProgress.PROPERTY) PageProgress run) {
        if (run.nextPage() == null) {
            Source source = run.source();
            run.nextPage(source.pagination().firstPage(startUrl.resolve(run.start())));
        }
    }

    /** Turns the next page into the HTTP request the {@code http} endpoint sends. */
    public void request(Exchange exchange) {
        PageProgress run = run(exchange);
        Source source = run.source();
        if (run.pagesOfExport() >= source.maxPages()) {
            throw new UpstreamException(FailureClass.PERMANENT, null, safe(run, run.nextPage()),
                    "stopped after " + source.maxPages() + " pages (source.pagination.max-pages); the upstream kept "
                            + "offering a next page");
        }
        // the feed's credentials stay with its source.url: a page elsewhere is asked for without them
        boolean home = SafeUrls.sameOrigin(run.nextPage(), source.url());
        PageRequest request = new PageRequest(home ? run.nextPage()
                : SafeUrls.withoutSecrets(run.nextPage(), source.auth().secretQueryParams()),
                outbound.resolverFor(run.feedName()));
        if (run.watermarkParam() != null) {
            request.queryParam(source.incremental().param(), run.watermarkParam());
        }
        if (home) {
            source.auth().authorize(request);
        }
        Message message = exchange.getMessage();
        message.removeHeaders("*", REDELIVERY_HEADERS);
        message.setBody(null);
        request.headers().forEach(message::setHeader);
        message.setHeader("Accept", "application/json");
        // the enum the http producer reads: as text, every request paid a type converter lookup (in a profile of
        // a child feed's run, one sample in nine)
        message.setHeader(Exchange.HTTP_METHOD, HttpMethods.GET);
        message.setHeader(Exchange.HTTP_URI, request.uri().toString());
        run.pageRequested(request.uri(), safe(run, request.uri()));
    }

    /**
     * Fails the run on an error status; otherwise leaves the streamed body for the split, and the
     * response headers for {@link PageScreen}.
     */
    public void response(Exchange exchange) {
        Message message = exchange.getMessage();
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        run(exchange).pageLinkHeader(message.getHeader("Link", String.class));
        if (status >= 200 && status < 300) {
            exchange.removeProperty(TOKEN_RENEWED);
            return;
        }
        String retryAfter = message.getHeader("Retry-After", String.class);
        message.removeHeaders("*", REDELIVERY_HEADERS);
        if (message.getBody() instanceof Closeable body) {
            IOHelper.close(body);
        }
        String url = run(exchange).pageUrl();
        FailureClass failureClass = classify(status);
        if (status == 401 && run(exchange).source().auth().invalidate()
                && !exchange.getProperty(TOKEN_RENEWED, false, Boolean.class)) {
            exchange.setProperty(TOKEN_RENEWED, true);
            failureClass = FailureClass.TRANSIENT;
        }
        throw new PageFetchException(failureClass, status, url, "upstream answered HTTP " + status + " for " + url,
                RetryAfter.parse(retryAfter, Instant.now()));
    }

    /**
     * The request never got an answer: refused, reset, timed out — worth trying again; or never sent,
     * to an address a feed defined over the API may not connect to ({@link OutboundRule}) — permanent.
     */
    public void unreachable(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        PageProgress run = run(exchange);
        String url = run.pageUrl();
        AddressRefusedException refused = AddressRefusedException.in(failure);
        if (refused != null) {
            throw new PageFetchException(FailureClass.PERMANENT, null, url, refused.getMessage(), null);
        }
        // the HTTP client names the host it could not reach; should a message hold the URL, not its secrets
        String why = failure.getMessage() == null ? ""
                : ": " + SafeUrls.maskParams(failure.getMessage(), run.source().auth().secretQueryParams());
        throw new PageFetchException(FailureClass.TRANSIENT, null, url, "upstream unreachable: "
                + failure.getClass().getSimpleName() + why, null);
    }

    /**
     * The records of the page just fetched, streamed for the split in chunks of the feed's
     * {@code chunk-size}. A page read again after a failure skips the records an earlier read handed on.
     */
    public PageChunks chunks(Exchange exchange) {
        PageProgress run = run(exchange);
        InputStream found = exchange.getMessage().getBody(InputStream.class);
        // no body at all (a 204): an empty page, like an empty body
        InputStream body = found == null ? InputStream.nullInputStream() : found;
        Source source = run.source();
        PageRecords page = new PageRecords(pageReader(source.maxPageSize()), body,
                run.pageUri(), run.pageUrl(),
                source.recordsPointer(), source.pagination().bodyPointers(), source.maxPageSize(),
                new PageEnding(run.pagesOfExport() + 1, source.endOnMissingRecords(), source.pagination().lastPageFlag()),
                source.errorBodies());
        PageChunks earlier = run.currentPage();
        int done = earlier != null && earlier.page() == run.pages() ? earlier.done() : 0;
        PageChunks chunks = new PageChunks(page, run.pages(), run.chunkSize(), done);
        run.currentPage(chunks);
        return chunks;
    }

    /** After a page is split: counts the page and moves pagination on. */
    public void next(Exchange exchange) {
        PageProgress run = run(exchange);
        PageOutcome outcome = run.currentPage().records().outcome(run.pageLinkHeader());
        // Camel counts attempts in these headers: the next page has attempts of its own
        exchange.getMessage().removeHeaders(REDELIVERY_HEADERS);
        run.pageRead();
        URI next = outcome.ended() ? null : run.source().pagination().nextPage(outcome).orElse(null);
        // a next link or cursor that does not move on would loop until max-pages, loading its pages again
        if (next != null && !run.firstVisit(next)) {
            throw new UpstreamException(FailureClass.PERMANENT, null, safe(run, next),
                    "the upstream sent the same next page twice (" + safe(run, next) + ", after page " + run.pagesOfExport()
                            + "); it would never end");
        }
        run.nextPage(next);
    }

    /**
     * A reader whose parser stops at the page size limit and at {@value #MAX_NESTING_DEPTH} levels
     * of nesting: a runaway page fails the run instead of filling the heap, and a record nested
     * absurdly deep fails it instead of overflowing the stack. Decimals are read exactly.
     */
    private ObjectMapper pageReader(DataSize maxPageSize) {
        return pageReaders.computeIfAbsent(maxPageSize, size -> mapper.copyWith(mapper.getFactory().rebuild()
                        .streamReadConstraints(mapper.getFactory().streamReadConstraints().rebuild()
                                .maxDocumentLength(size.toBytes())
                                .maxNestingDepth(MAX_NESTING_DEPTH)
                                .build())
                        .build())
                // a decimal reaches its column as the upstream wrote it, never through a double
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true)));
    }

    static FailureClass classify(int status) {
        return status >= 500 || status == 429 || status == 408 ? FailureClass.TRANSIENT : FailureClass.PERMANENT;
    }

    private static String safe(PageProgress run, URI uri) {
        return SafeUrls.show(uri, run.source().auth().secretQueryParams());
    }

    private static PageProgress run(Exchange exchange) {
        return exchange.getProperty(PageProgress.PROPERTY, PageProgress.class);
    }
}
