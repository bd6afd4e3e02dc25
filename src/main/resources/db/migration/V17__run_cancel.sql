-- Cancelling a run (POST /api/runs/{id}/cancel, the MBean feedsync:type=Feeds, pausing or deleting
-- its feed, Ctrl-C on the command line). The request is recorded on the run's row, so that the node
-- carrying the run out sees it whichever node received it: a QUEUED run ends CANCELLED at once, a
-- RUNNING one at its next page or during its wait before a retry. A cancelled run keeps its
-- checkpoint; the feed's next run resumes it (see io.feedsync.run.RunCancels).
alter table sync_run drop constraint sync_run_status_check;
alter table sync_run add constraint sync_run_status_check
    check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'ABANDONED', 'SKIPPED', 'CANCELLED'));
alter table sync_run add column cancel_requested_at timestamptz;
-- who asked (an API key's or console user's name, a JMX user, cli) and why, as the run's error will say
alter table sync_run add column cancel_requested_by text;
alter table sync_run add column cancel_reason text;
