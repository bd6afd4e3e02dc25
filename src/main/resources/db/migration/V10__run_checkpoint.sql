-- Resume (issue 17): where an unfinished run stood after its last committed page, and which run a
-- run resumed. The checkpoint holds the next page's request (without credentials), the pages read,
-- the cursors seen and when the run chain began; see io.feedsync.run.RunCheckpoint.
alter table sync_run add column checkpoint jsonb;
alter table sync_run add column checkpoint_at timestamptz;
alter table sync_run add column resumed_from bigint references sync_run (id);
