package io.feedsync.store;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;


/**
 * The full-refresh step at the end of the sync route, reached only when every page was fetched:
 * rows of the target table that the run did not see are counted as missed once more in
 * {@code sync_missed_key} (a row seen again loses its count), and those that as many consecutive
 * complete full runs as {@code target.soft-delete-after} have missed get the soft-delete timestamp
 * (never a hard delete); the others are reported pending. Unless that deletes more than the feed's
 * deletion guard allows and the trigger did not say {@code confirm: true} — then the run fails and
 * nothing is deleted or counted. Nothing is deleted either when
 * a record was dead-lettered before its key was known (without {@code confirm: true}): its row
 * cannot be told apart from the rows that are really gone. The dead letters of records gone
 * upstream are settled with the rows. A dry run only counts, and so does a drift check, which
 * counts the rows the upstream lacks even for a feed without soft-delete. For a feed with a
 * {@code notify} section, each row soft-deleted makes a {@code deleted} change event, in the same
 * statement ({@link ChangeOutbox}). A feed whose table is shared ({@code target.shared}) counts, guards and
 * soft-deletes only the rows it wrote ({@link RecordHashes#writtenBy}); its drift check compares the
 * whole table. It all happens in the run's final transaction, committed with the run's SUCCEEDED row:
 * a run that fails at its last step has deleted and counted nothing.
 */
@Component("softDeletes")
public class SoftDeletes {

    private static final Logger log = LoggerFactory.getLogger(SoftDeletes.class);

    private final TargetTables tables;
    private final DeadLetters deadLetters;

    public SoftDeletes(TargetTables tables, DeadLetters deadLetters) {
        this.tables = tables;
        this.deadLetters = deadLetters;
    }

    /**
     * Soft-deletes what a full run did not see (a dry run or drift check only counts it); answers what
     * it did. It writes in the run's final transaction ({@code finalTransaction}), which the run's
     * success commits and its failure takes back.
     */
    public SoftDeleted apply(@ExchangeProperty(StoreRun.PROPERTY) StoreRun run,
                             @ExchangeProperty(StoreRun.FINAL_TRANSACTION) JdbcTemplate finalTransaction) {
        TargetTable table = tables.of(run.feed().name());
        if (!run.full() || table.softDeleteColumn() == null && !run.drift()) {
            return SoftDeleted.NONE;
        }
        if (run.keylessRejections() > 0 && !run.drift() && !run.confirm()) {
            // any row could belong to a record that was rejected before its key was known
            log.warn("Feed {} run {}: soft-delete skipped: {} records were dead-lettered before their key was known,"
                    + " so no row can be called gone; fix or replay them, or run with confirm: true",
                    run.feed().name(), run.runId(), run.keylessRejections());
            return SoftDeleted.NONE;
        }
        // the feed's statement-timeout bounds the counts and the update (and the run's final row after them)
        StatementTimeout.apply(finalTransaction, run.feed().statementTimeout());
        return softDelete(run, table, finalTransaction);
    }

    /**
     * Counts the rows the run did not see, and soft-deletes those that as many consecutive complete
     * full runs as the feed's {@code soft-delete-after} have now missed; a dry run only counts, and
     * a drift check counts every row missed.
     */
    private SoftDeleted softDelete(StoreRun run, TargetTable table, JdbcTemplate jdbc) {
        String feed = run.feed().name();
        int after = run.feed().target().softDeleteAfter();
        String column = table.softDeleteColumn() == null ? null : TargetTable.quoteIdentifier(table.softDeleteColumn());
        // on a shared table, only the rows this feed wrote are its to count and delete
        String own = run.feed().target().shared() && !run.drift() ? " and " + RecordHashes.writtenBy(feed, table, "t") : "";
        // a child feed: only the children of parents this run fetched whole can be told gone
        String alivePredicate = (column == null ? "true" : "t." + column + " is null") + own;
        String fetchedParent = run.feed().source().forEach() == null ? ""
                : " and " + childOfSeenParent(run.feed(), run.runId(), "t");
        String keyArray = "array[" + String.join(", ", table.key().stream()
                .map(c -> "t." + TargetTable.quoteIdentifier(c) + "::text").toList()) + "]";
        String unseen = "unseen as (select " + keyArray + " as key from " + table.quotedName() + " t where "
                + alivePredicate + fetchedParent + " and not exists (select 1 from sync_seen_key s where s.run_id = ? and "
                + keyMatch(table, "s") + ")) ";
        long alive = jdbc.queryForObject("select count(*) from " + table.quotedName() + " t where "
                + alivePredicate, Long.class);
        if (run.drift()) {
            // a drift check reports every row the upstream lacks, however often it was missed
            long missing = jdbc.queryForObject("with " + unseen + "select count(*) from unseen", Long.class,
                    run.runId());
            List<String> sample = jdbc.queryForList("with " + unseen + "select array_to_string(key, '|') from unseen"
                    + " limit " + RunSamples.PER_OUTCOME, String.class, run.runId());
            return new SoftDeleted(missing, sample, 0);
        }
        // due: the rows this run misses for the soft-delete-after'th time in a row
        String due = "with " + unseen + "select array_to_string(u.key, '|') from unseen u left join sync_missed_key m"
                + " on m.feed = ? and m.key = u.key where coalesce(m.misses, 0) + 1 >= ?";
        List<String> sample = jdbc.queryForList(due + " limit " + RunSamples.PER_OUTCOME, String.class,
                run.runId(), feed, after);
        if (run.dryRun()) {
            long[] counts = jdbc.queryForObject("with " + unseen + "select count(*), count(*) filter (where"
                    + " coalesce(m.misses, 0) + 1 >= ?) from unseen u left join sync_missed_key m on m.feed = ?"
                    + " and m.key = u.key", (rs, row) -> new long[] {rs.getLong(1), rs.getLong(2)},
                    run.runId(), after, feed);
            return new SoftDeleted(counts[1], sample, counts[0] - counts[1]);
        }
        // one more miss for each row not seen; a row seen again (or gone otherwise) starts over
        long[] counts = jdbc.queryForObject("with " + unseen + ", seen_again as (delete from sync_missed_key m"
                + " where m.feed = ? and not exists (select 1 from unseen u where u.key = m.key)), counted as ("
                + "insert into sync_missed_key (feed, key, misses) select ?, key, 1 from unseen on conflict (feed, key)"
                + " do update set misses = sync_missed_key.misses + 1 returning misses)"
                + " select count(*), count(*) filter (where misses >= ?) from counted",
                (rs, row) -> new long[] {rs.getLong(1), rs.getLong(2)}, run.runId(), feed, feed, after);
        long missed = counts[0];
        long deleting = counts[1];
        // the guard judges what this run deletes; refused, the transaction takes the counts back too
        if (deleting > run.feed().deletionGuard() * alive && !run.confirm()) {
            throw new RunRefusedException(String.format(
                    "deletion guard: this full run would soft-delete %d of %d rows (%.0f%%), more than the %.0f%% "
                            + "allowed; nothing was deleted. Check the upstream, then run again with confirm: true",
                    deleting, alive, 100.0 * deleting / alive, 100 * run.feed().deletionGuard()));
        }
        // also the letters of records that never landed: a replay must not bring back what is gone
        deadLetters.settleUnseen(run, jdbc);
        if (missed == 0) {
            return SoftDeleted.NONE;
        }
        long deleted = 0;
        if (deleting > 0) {
            String keyText = "concat_ws('|', " + String.join(", ", table.key().stream()
                    .map(c -> "t." + TargetTable.quoteIdentifier(c) + "::text").toList()) + ")";
            String update = "update " + table.quotedName() + " t set " + column + " = now() from sync_missed_key m"
                    + " where m.feed = ? and m.misses >= ? and " + keyMatch(table, "m") + " and t." + column
                    + " is null" + own;
            deleted = run.recordsChanges()
                    // a deleted event per row, with the row before, in the same statement (see ChangeOutbox)
                    ? jdbc.queryForObject("with deleted as (" + update + " returning " + keyText + " as key, "
                            + ChangeOutbox.beforeSoftDelete("to_jsonb(t)", table.softDeleteColumn()) + " as row), "
                            + ChangeOutbox.recording("deleted", "'deleted'") + " select count(*) from deleted",
                            Long.class, feed, after, feed, run.runId())
                    : jdbc.update(update, feed, after);
            if (run.feed().source().forEach() != null) {
                // a child feed: the hashes of the rows just deleted (its other parents' children were not read)
                jdbc.update("delete from sync_record_hash h using sync_missed_key m where h.feed = ? and m.feed = ?"
                        + " and m.misses >= ? and array_to_string(m.key, '|') = h.record_key", feed, feed, after);
            }
            jdbc.update("delete from sync_missed_key where feed = ? and misses >= ?", feed, after);
            // their hashes go too, so that a record that comes back is applied (and revived); the
            // hashes of rows still pending stay, so that such a record, seen again unchanged, is not written
            if (run.feed().source().forEach() == null) {
                jdbc.update("delete from sync_record_hash h where h.feed = ? and not exists (select 1 from sync_seen_key s"
                        + " where s.run_id = ? and array_to_string(s.key, '|') = h.record_key) and not exists (select 1"
                        + " from sync_missed_key m where m.feed = ? and array_to_string(m.key, '|') = h.record_key)",
                        feed, run.runId(), feed);
            }
        }
        log.info("Feed {} run {}: soft-deleted {} of {} rows no longer in the upstream; {} more missed, pending"
                + " (soft-delete-after: {})", feed, run.runId(), deleted, alive, missed - deleting, after);
        return new SoftDeleted(deleted, sample, missed - deleting);
    }

    /**
     * The cascade of a child feed's run ({@code for-each.cascade-deletes}), in its final transaction: its live
     * rows whose parent is soft-deleted — a parent row with their values is soft-deleted, and none with them
     * is live — are soft-deleted too (a dry run counts them), with a change event each when the feed has
     * {@code notify}, and their hashes go (a record that comes back is applied again).
     */
    public SoftDeleted cascade(@ExchangeProperty(StoreRun.PROPERTY) StoreRun run,
                               @ExchangeProperty(StoreRun.FINAL_TRANSACTION) JdbcTemplate finalTransaction) {
        io.feedsync.config.FeedDefinition feed = run.feed();
        io.feedsync.upstream.ForEach forEach = feed.source().forEach();
        if (forEach == null || !forEach.cascadeDeletes() || run.drift() || feed.transform().parents().isEmpty()) {
            return SoftDeleted.NONE;
        }
        TargetTable table = tables.of(feed.name());
        TargetTable parents = tables.of(forEach.feed());
        if (table.softDeleteColumn() == null || parents.softDeleteColumn() == null) {
            return SoftDeleted.NONE;
        }
        String column = TargetTable.quoteIdentifier(table.softDeleteColumn());
        String parentColumn = "p." + TargetTable.quoteIdentifier(parents.softDeleteColumn());
        List<String> match = new ArrayList<>();
        feed.transform().parents().forEach((child, parent) -> match.add("p." + TargetTable.quoteIdentifier(parent)
                + "::text = t." + TargetTable.quoteIdentifier(child) + "::text"));
        String matching = String.join(" and ", match);
        String own = feed.target().shared() ? " and " + RecordHashes.writtenBy(feed.name(), table, "t") : "";
        String orphans = "t." + column + " is null" + own
                + " and exists (select 1 from " + parents.quotedName() + " p where " + parentColumn + " is not null and "
                + matching + ") and not exists (select 1 from " + parents.quotedName() + " p where " + parentColumn
                + " is null and " + matching + ")";
        String keyText = "concat_ws('|', " + String.join(", ", table.key().stream()
                .map(c -> "t." + TargetTable.quoteIdentifier(c) + "::text").toList()) + ")";
        StatementTimeout.apply(finalTransaction, feed.statementTimeout());
        List<Object[]> found;
        if (run.dryRun()) {
            found = finalTransaction.query("with deleted as (select " + keyText + " as key from " + table.quotedName()
                    + " t where " + orphans + ") select (select count(*) from deleted), key from deleted limit "
                    + RunSamples.PER_OUTCOME, (rs, row) -> new Object[] {rs.getLong(1), rs.getString(2)});
        } else {
            String changes = run.recordsChanges() ? ChangeOutbox.recording("deleted", "'deleted'") + ", " : "";
            List<Object> args = new ArrayList<>();
            if (run.recordsChanges()) {
                args.add(feed.name());
                args.add(run.runId());
            }
            args.add(feed.name());
            found = finalTransaction.query("with deleted as (update " + table.quotedName() + " t set " + column
                    + " = now() where " + orphans + " returning " + keyText + " as key, "
                    + ChangeOutbox.beforeSoftDelete("to_jsonb(t)", table.softDeleteColumn()) + " as row), " + changes
                    + "forgotten as (delete from sync_record_hash h using deleted d where h.feed = ? and h.record_key"
                    + " = d.key) select (select count(*) from deleted), key from deleted limit " + RunSamples.PER_OUTCOME,
                    (rs, row) -> new Object[] {rs.getLong(1), rs.getString(2)}, args.toArray());
        }
        if (found.isEmpty()) {
            return SoftDeleted.NONE;
        }
        long count = (Long) found.get(0)[0];
        log.info("Feed {} run {}: {} {} rows whose parent in feed {} is soft-deleted", feed.name(), run.runId(),
                run.dryRun() ? "would soft-delete" : "soft-deleted", count, forEach.feed());
        return new SoftDeleted(count, found.stream().map(row -> (String) row[1]).toList(), 0);
    }

    /**
     * The SQL condition that the child row {@code alias} belongs to a parent that run {@code runId} fetched
     * whole ({@code sync_seen_parent}): each column mapped from a parent column holds that parent's value.
     */
    private static String childOfSeenParent(io.feedsync.config.FeedDefinition feed, long runId, String alias) {
        return "exists (select 1 from sync_seen_parent sp where sp.run_id = " + runId + " and "
                + parentMatch(feed, "sp.columns", alias) + ")";
    }

    /** {@code <array>[i] = t.c::text and …}: the child's columns mapped from the parent's, against their values. */
    private static String parentMatch(io.feedsync.config.FeedDefinition feed, String array, String alias) {
        List<String> columns = feed.source().forEach().columns();
        List<String> parts = new ArrayList<>();
        feed.transform().parents().forEach((column, parentColumn) -> parts.add(array + "["
                + (columns.indexOf(parentColumn) + 1) + "] = " + alias + "." + TargetTable.quoteIdentifier(column)
                + "::text"));
        return parts.isEmpty() ? "false" : String.join(" and ", parts);
    }

    /** {@code s.key[1]::type = t.k1 and …}: the key text parsed exactly as the upsert casts it. */
    private static String keyMatch(TargetTable table, String alias) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < table.key().size(); i++) {
            String column = table.key().get(i);
            parts.add("cast(" + alias + ".key[" + (i + 1) + "] as " + table.columnTypes().get(column) + ") = t."
                    + TargetTable.quoteIdentifier(column));
        }
        return String.join(" and ", parts);
    }
}
