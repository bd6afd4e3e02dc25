package io.feedsync.config;

import java.util.Map;
import java.util.function.Function;

import io.feedsync.upstream.CursorPagination;
import io.feedsync.upstream.HasMorePagination;
import io.feedsync.upstream.LinkHeaderPagination;
import io.feedsync.upstream.NextUrlPagination;
import io.feedsync.upstream.NoPagination;
import io.feedsync.upstream.OffsetPagination;
import io.feedsync.upstream.PageNumberPagination;
import io.feedsync.upstream.Pagination;

import static io.feedsync.config.FeedKeys.blankToNull;

/**
 * {@code source.pagination}: one type of {@link FeedSchema}'s closed set, each with its own keys and
 * defaults, and {@code has-more}, which any of them may add.
 */
final class PaginationRules {

    private static final String PAGING = "source.pagination";

    private static final Map<String, Function<FeedKeys, Pagination>> TYPES = Map.of(
            "none", k -> new NoPagination(),
            "page", k -> new PageNumberPagination(k.text(PAGING + ".page-param", k.paging().pageParam()),
                    k.text(PAGING + ".size-param", k.paging().sizeParam()), k.whole(PAGING + ".size", k.paging().size()),
                    k.whole(PAGING + ".first-page", k.paging().firstPage())),
            "offset", k -> new OffsetPagination(k.text(PAGING + ".offset-param", k.paging().offsetParam()),
                    k.text(PAGING + ".limit-param", k.paging().limitParam()), k.whole(PAGING + ".size", k.paging().size())),
            "cursor", k -> new CursorPagination(k.text(PAGING + ".cursor-param", k.paging().cursorParam()),
                    k.pointer(PAGING + ".cursor-pointer", k.required(PAGING + ".cursor-pointer", k.paging().cursorPointer()))),
            "next-url", k -> new NextUrlPagination(
                    k.pointer(PAGING + ".next-pointer", k.text(PAGING + ".next-pointer", k.paging().nextPointer()))),
            "link-header", k -> new LinkHeaderPagination());

    private PaginationRules() {
    }

    static Pagination pagination(FeedKeys keys) {
        String type = SourceRules.variantType(keys, PAGING, keys.paging().type(), TYPES.keySet());
        SourceRules.throwAll(keys.notOfVariant(PAGING, keys.feed().source().pagination(), type));
        Pagination pagination = TYPES.get(type).apply(keys);
        String hasMore = blankToNull(keys.paging().hasMore());
        return hasMore == null ? pagination
                : new HasMorePagination(pagination, keys.pointer(PAGING + ".has-more", hasMore));
    }

    /** The type the feed's pagination has, written or by default: {@code soft-delete-after}'s default follows it. */
    static String type(FeedKeys keys) {
        return keys.feed().source() == null ? FeedSchema.defaultOf(PAGING + ".type")
                : keys.text(PAGING + ".type", keys.paging().type());
    }
}
