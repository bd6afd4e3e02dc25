package io.feedsync.upstream;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The records of one page in chunks of up to {@code size}, streamed: a chunk is read from the
 * page only when the split asks for it. When a page is read again after a failure part way
 * through (a retry), the records an earlier read got through the route with are read past, not
 * handed on twice. (Counted when the route is done with a chunk, not when the split takes it:
 * the split reads one chunk ahead, and that chunk is lost when the page breaks.)
 */
public final class PageChunks implements Iterator<List<JsonNode>>, Closeable {

    private final PageRecords records;
    private final int page;
    private final int size;
    private int toSkip;
    private int done;

    /** {@code page}: the page's number in the run (0 first); {@code alreadyDone}: records of it an earlier read got through. */
    public PageChunks(PageRecords records, int page, int size, int alreadyDone) {
        this.records = records;
        this.page = page;
        this.size = size;
        this.toSkip = alreadyDone;
        this.done = alreadyDone;
    }

    @Override
    public boolean hasNext() {
        while (toSkip > 0 && records.hasNext()) {
            records.next();
            toSkip--;
        }
        return records.hasNext();
    }

    @Override
    public List<JsonNode> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        List<JsonNode> chunk = new ArrayList<>(size);
        while (chunk.size() < size && records.hasNext()) {
            chunk.add(records.next());
        }
        return chunk;
    }

    /** The page's number in the run, 0 for the first. */
    public int page() {
        return page;
    }

    /** The route is done with {@code count} more records of the page (transformed and queued, or dead-lettered). */
    public synchronized void done(int count) {
        done += count;
    }

    /** How many records of the page the route is done with, in this read and earlier ones. */
    public synchronized int done() {
        return done;
    }

    public PageRecords records() {
        return records;
    }

    @Override
    public void close() {
        records.close();
    }
}
