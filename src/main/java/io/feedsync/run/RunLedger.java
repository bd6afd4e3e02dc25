package io.feedsync.run;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import io.feedsync.config.RunMode;
import io.feedsync.upstream.FailureClass;

/** The {@code sync_run} table: every run's identity, live progress and outcome. */
@Component
public class RunLedger {

    private static final String COLUMNS = """
            r.id, r.feed, r.status, r.trigger, r.mode, r.dry_run, r.pages, r.fetched, r.inserted, r.updated,
            r.unchanged, r.deleted, r.dead_lettered, r.pending_deletes, r.started_at, r.finished_at, r.watermark,
            r.error_class, r.error_message, r.error_http_status, r.error_url, r.samples::text as samples,
            r.resumed_from, r.range_since, r.range_until, r.triggered_by, r.cancel_requested_at, r.cancel_requested_by,
            r.parents::text as parents""";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper CHECKPOINTS = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
    private static final TypeReference<Map<String, List<String>>> SAMPLES = new TypeReference<>() { };

    private final JdbcTemplate jdbc;

    public RunLedger(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    private static String json(Map<String, List<String>> samples) {
        try {
            return JSON.writeValueAsString(samples);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, List<String>> samples(String json) throws SQLException {
        try {
            return json == null ? null : JSON.readValue(json, SAMPLES);
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable samples", e);
        }
    }

    /** A run starting now on {@code node}: RUNNING, resuming run {@code resumedFrom} (null: from the first page). */
    public long open(RunRequest request, String node, Long resumedFrom) {
        return insert(request, node, RunStatus.RUNNING, resumedFrom, null);
    }

    /** A run admitted on {@code node} to wait for a slot there; {@code queuedBy} is the node's life (LiveNodes). */
    public long queue(RunRequest request, String node, String queuedBy) {
        return insert(request, node, RunStatus.QUEUED, null, queuedBy);
    }

    /** The run's row, RUNNING or QUEUED (since now); answers its id. */
    private long insert(RunRequest request, String node, RunStatus status, Long resumedFrom, String queuedBy) {
        boolean queued = status == RunStatus.QUEUED;
        return jdbc.queryForObject("""
                insert into sync_run (feed, trigger, mode, dry_run, status, node, resumed_from, range_since, range_until,
                                      triggered_by, queued_by, queued_at, fire_time)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, case when ? then now() end, ?) returning id""",
                Long.class, request.feed(), request.trigger().value(), request.mode().value(), request.dryRun(),
                status.name(), node, resumedFrom, request.range() == null ? null : request.range().since(),
                request.range() == null ? null : request.range().until(), request.triggeredBy(), queuedBy, queued,
                request.fireTime() == null ? null : Timestamp.from(request.fireTime()));
    }

    /**
     * What stands in the way of admitting a run of the feed, in one query: the run that the timer fire at
     * {@code fireTime} started already (null: none, or no fire time), and the feed's oldest QUEUED run on any
     * node (call after abandoning those of dead nodes).
     */
    public Holders holders(String feed, Instant fireTime) {
        return jdbc.queryForObject("""
                select (select id from sync_run where feed = ? and fire_time = ?) as fired,
                       (select id from sync_run where feed = ? and status = 'QUEUED' order by id limit 1) as queued""",
                (rs, row) -> new Holders(rs.getObject("fired", Long.class), rs.getObject("queued", Long.class)),
                feed, fireTime == null ? null : Timestamp.from(fireTime), feed);
    }

    /** See {@link #holders}. */
    public record Holders(Long firedRun, Long queuedRun) {
    }

    /** The queued run's turn, under its feed's lock: RUNNING from now. False if it is no longer QUEUED. */
    public boolean start(long runId, Long resumedFrom) {
        return jdbc.update("""
                update sync_run set status = 'RUNNING', started_at = now(), resumed_from = ?
                 where id = ? and status = 'QUEUED'""", resumedFrom, runId) == 1;
    }

    /**
     * A queued run that ends without running (SKIPPED), or that could not start (FAILED), and why.
     * False if it was no longer QUEUED (cancelled while it waited).
     */
    public boolean endQueued(long runId, RunStatus status, String why) {
        return jdbc.update("""
                update sync_run set status = ?, finished_at = now(), error_class = 'TRANSIENT', error_message = ?
                 where id = ? and status = 'QUEUED'""", status.name(), why, runId) == 1;
    }

    /** Whether the run still waits QUEUED (it was not cancelled meanwhile). */
    public boolean isQueued(long runId) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "select exists (select 1 from sync_run where id = ? and status = 'QUEUED')", Boolean.class, runId));
    }

    /**
     * Records that {@code by} asked to cancel the run (if it is QUEUED or RUNNING): a QUEUED run ends
     * CANCELLED here and now, in the same statement, so that it can no longer start; a RUNNING one
     * keeps the request for its node to see. The first request's who and why stay. Answers the
     * run's status after it, empty if the run was neither QUEUED nor RUNNING.
     */
    public Optional<RunStatus> requestCancel(long runId, String by, String reason) {
        return requestCancel("id = ?", runId, by, reason).values().stream().findFirst();
    }

    /** {@link #requestCancel} for every QUEUED or RUNNING run of the feed, on any node: their ids and statuses after it. */
    public Map<Long, RunStatus> requestCancelOfFeed(String feed, String by, String reason) {
        return requestCancel("feed = ?", feed, by, reason);
    }

    private Map<Long, RunStatus> requestCancel(String which, Object key, String by, String reason) {
        Map<Long, RunStatus> runs = new java.util.TreeMap<>();
        jdbc.query("""
                update sync_run set cancel_requested_at = coalesce(cancel_requested_at, now()),
                       cancel_requested_by = coalesce(cancel_requested_by, ?),
                       cancel_reason = coalesce(cancel_reason, ?),
                       status = case when status = 'QUEUED' then 'CANCELLED' else status end,
                       finished_at = case when status = 'QUEUED' then now() else finished_at end,
                       error_class = case when status = 'QUEUED' then 'TRANSIENT' else error_class end,
                       error_message = case when status = 'QUEUED' then coalesce(cancel_reason, ?) || '; it never started'
                                       else error_message end
                 where\s""" + which + " and status in ('QUEUED', 'RUNNING') returning id, status",
                rs -> {
                    runs.put(rs.getLong("id"), RunStatus.valueOf(rs.getString("status")));
                }, by, reason, reason, key);
        return runs;
    }

    /** The cancel requested for the run, from any node; empty while none was. */
    public Optional<RunStop> cancelRequest(long runId) {
        return jdbc.query("select cancel_requested_by, cancel_reason from sync_run where id = ? and cancel_requested_at is not null",
                (rs, row) -> RunStop.cancel(rs.getString("cancel_requested_by"), rs.getString("cancel_reason")), runId)
                .stream().findFirst();
    }

    /** Marks the QUEUED runs of the feed (null: of every feed) whose node is no longer alive as ABANDONED. */
    public int abandonQueuedByDeadNodes(String feed) {
        return jdbc.update("""
                update sync_run set status = 'ABANDONED', finished_at = now(), error_class = 'TRANSIENT',
                       error_message = 'the node that queued it stopped before its turn came'
                 where status = 'QUEUED' and (cast(? as text) is null or feed = ?) and\s""" + LiveNodes.DEAD, feed, feed);
    }

    /** An unfinished run and the checkpoint it left. */
    public record Unfinished(long runId, RunCheckpoint checkpoint) {
    }

    /**
     * The run a new run of {@code feed} in {@code mode} resumes: the feed's newest sync in that mode,
     * if it ended unfinished for a transient reason (or was abandoned or cancelled) and left a checkpoint
     * no older than {@code within}. Selective runs (since..until) are not counted: they leave no checkpoint;
     * nor are cancelled runs that left none (cancelled while QUEUED, or before their first page was
     * committed): they changed nothing a checkpoint before them does not cover.
     * Only call while holding the feed's lock, after stale runs are abandoned.
     */
    public Optional<Unfinished> unfinished(String feed, RunMode mode, Duration within) {
        if (within.isZero()) {
            return Optional.empty();
        }
        return jdbc.query("""
                select r.id, r.status, r.error_class, r.checkpoint::text as checkpoint,
                       r.checkpoint_at > now() - make_interval(secs => ?) as fresh
                  from sync_run r
                 where r.feed = ? and r.mode = ? and not r.dry_run and r.trigger in ('timer', 'rest', 'cli', 'parent')
                   and r.range_since is null and r.status not in ('QUEUED', 'SKIPPED')
                   and not (r.status = 'CANCELLED' and r.checkpoint is null)
                 order by r.id desc limit 1""", (rs, row) -> {
                    boolean resumable = java.util.Set.of("FAILED", "ABANDONED", "CANCELLED").contains(rs.getString("status"))
                            && "TRANSIENT".equals(rs.getString("error_class")) && rs.getString("checkpoint") != null
                            && rs.getBoolean("fresh");
                    return resumable ? new Unfinished(rs.getLong("id"), checkpoint(rs.getString("checkpoint"))) : null;
                }, (double) within.toSeconds(), feed, mode.value()).stream().filter(java.util.Objects::nonNull).findFirst();
    }

    /** Keeps where the run stands after its last committed page. */
    public void checkpoint(long runId, RunCheckpoint checkpoint) {
        try {
            jdbc.update("update sync_run set checkpoint = cast(? as jsonb), checkpoint_at = now() where id = ?",
                    CHECKPOINTS.writeValueAsString(checkpoint), runId);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RunCheckpoint checkpoint(String json) throws SQLException {
        try {
            return CHECKPOINTS.readValue(json, RunCheckpoint.class);
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable checkpoint", e);
        }
    }

    /** Saves the run's live counts; answers the cancel requested for it meanwhile (by any node), if any. */
    public Optional<RunStop> progress(RunState run) {
        RunCounts c = run.counts();
        return jdbc.query("""
                update sync_run set pages = ?, fetched = ?, inserted = ?, updated = ?, unchanged = ?,
                       deleted = ?, dead_lettered = ?, pending_deletes = ?, parents = cast(? as jsonb)
                 where id = ? returning cancel_requested_at is not null as cancel, cancel_requested_by, cancel_reason""",
                (rs, row) -> rs.getBoolean("cancel")
                        ? RunStop.cancel(rs.getString("cancel_requested_by"), rs.getString("cancel_reason")) : null,
                run.pages(), c.fetched(), c.inserted(), c.updated(), c.unchanged(), c.deleted(), c.deadLettered(),
                c.pendingDeletes(), parents(run), run.runId()).stream().filter(java.util.Objects::nonNull).findFirst();
    }

    /** A child feed's parent counts as stored; null for any other feed. */
    private static String parents(RunState run) {
        if (run.parents() == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(run.parents().counts());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the run's outcome with the given template: the lock's own session (see
     * {@link FeedLock}), or the pool's once that session is gone. A row no longer RUNNING (another
     * node found the lock free and marked it ABANDONED) is left as it is. A CANCELLED run keeps who
     * asked, also when it was asked on this node only (Ctrl-C on the command line).
     */
    public void finish(JdbcTemplate session, RunState run, RunStatus status, RunError error) {
        RunCounts c = run.counts();
        RunStop cancel = status == RunStatus.CANCELLED ? run.stopRequested() : null;
        session.update("""
                update sync_run set status = ?, finished_at = now(), pages = ?, fetched = ?, inserted = ?,
                       updated = ?, unchanged = ?, deleted = ?, dead_lettered = ?, pending_deletes = ?,
                       watermark = (select w.value from sync_watermark w where w.feed = sync_run.feed),
                       error_class = ?, error_message = ?, error_http_status = ?, error_url = ?,
                       samples = cast(? as jsonb), parents = cast(? as jsonb), parents_xmin = cast(? as xid8),
                       parents_feed = ?,
                       cancel_requested_at = case when ? then coalesce(cancel_requested_at, now()) else cancel_requested_at end,
                       cancel_requested_by = coalesce(cancel_requested_by, ?), cancel_reason = coalesce(cancel_reason, ?)
                 where id = ? and status = 'RUNNING'""",
                status.name(), run.pages(), c.fetched(), c.inserted(), c.updated(), c.unchanged(), c.deleted(),
                c.deadLettered(), c.pendingDeletes(),
                error == null ? null : error.failureClass().name(), error == null ? null : error.message(),
                error == null ? null : error.httpStatus(), error == null ? null : error.url(),
                json(run.samples().snapshot()), parents(run), run.parents() == null ? null : run.parents().xmin(),
                run.parents() == null ? null : run.parents().forEach().feed(),
                cancel != null, cancel == null ? null : cancel.by(),
                cancel == null ? null : cancel.reason(), run.runId());
    }

    /** {@link #finish} through the pool, for a run whose lock's session is gone. */
    public void finishWithoutLock(RunState run, RunStatus status, RunError error) {
        finish(jdbc, run, status, error);
    }

    /**
     * Marks the feed's RUNNING runs, and its QUEUED ones of nodes no longer alive, as ABANDONED; only
     * call while holding the feed's lock.
     */
    public int abandonStale(String feed) {
        return jdbc.update("""
                update sync_run set status = 'ABANDONED', finished_at = now(),
                       error_class = 'TRANSIENT', error_message = 'the node running it stopped before it finished, or lost the database'
                 where feed = ? and status = 'RUNNING'""", feed) + abandonQueuedByDeadNodes(feed);
    }

    public Optional<Long> runningRun(String feed) {
        return jdbc.queryForList("select id from sync_run where feed = ? and status = 'RUNNING' order by id desc limit 1",
                Long.class, feed).stream().findFirst();
    }

    /** Whether a run of the feed is under way on this node. */
    public boolean runningOn(String feed, String node) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "select exists (select 1 from sync_run where feed = ? and status = 'RUNNING' and node = ?)",
                Boolean.class, feed, node));
    }

    public Optional<RunRecord> find(long runId) {
        return jdbc.query("select " + COLUMNS + " from sync_run r where r.id = ?", RunLedger::record, runId)
                .stream().findFirst();
    }

    /** The feed's newest run started by {@code trigger}. */
    public Optional<RunRecord> latest(String feed, RunTrigger trigger) {
        return jdbc.query("select " + COLUMNS + " from sync_run r where r.feed = ? and r.trigger = ? order by r.id desc limit 1",
                RunLedger::record, feed, trigger.value()).stream().findFirst();
    }

    /** The newest run of each of the feeds that has one, in one statement (an index lookup per feed). */
    public Map<String, RunRecord> latestOfEach(java.util.Collection<String> feeds) {
        Map<String, RunRecord> latest = new java.util.HashMap<>();
        jdbc.query(connection -> {
            var statement = connection.prepareStatement("select " + COLUMNS + " from unnest(?) as f(feed) cross join lateral ("
                    + "select * from sync_run r where r.feed = f.feed order by r.id desc limit 1) r");
            statement.setArray(1, connection.createArrayOf("text", feeds.toArray()));
            return statement;
        }, (ResultSet rs) -> {
            RunRecord run = record(rs, 0);
            latest.put(run.feed(), run);
        });
        return latest;
    }

    public List<RunRecord> history(String feed, int limit) {
        return jdbc.query("select " + COLUMNS + " from sync_run r where r.feed = ? order by r.id desc limit ?",
                RunLedger::record, feed, limit);
    }

    private static RunRecord record(ResultSet rs, int row) throws SQLException {
        String errorClass = rs.getString("error_class");
        RunError error = errorClass == null ? null : new RunError(FailureClass.valueOf(errorClass),
                rs.getString("error_message"), (Integer) rs.getObject("error_http_status"), rs.getString("error_url"));
        return new RunRecord(rs.getLong("id"), rs.getString("feed"), RunStatus.valueOf(rs.getString("status")),
                rs.getString("trigger"), rs.getString("mode"), rs.getBoolean("dry_run"), rs.getInt("pages"),
                new RunCounts(rs.getLong("fetched"), rs.getLong("inserted"), rs.getLong("updated"),
                        rs.getLong("unchanged"), rs.getLong("deleted"), rs.getLong("dead_lettered"),
                        rs.getLong("pending_deletes")),
                instant(rs.getTimestamp("started_at")), instant(rs.getTimestamp("finished_at")),
                rs.getString("watermark"), error, samples(rs.getString("samples")), (Long) rs.getObject("resumed_from"),
                rs.getString("range_since") == null ? null
                        : new RunRange(rs.getString("range_since"), rs.getString("range_until")),
                rs.getString("triggered_by"), instant(rs.getTimestamp("cancel_requested_at")),
                rs.getString("cancel_requested_by"), parentCounts(rs.getString("parents")));
    }

    private static ParentCounts parentCounts(String json) throws SQLException {
        try {
            return json == null ? null : JSON.readValue(json, ParentCounts.class);
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable parent counts", e);
        }
    }

    private static java.time.Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
