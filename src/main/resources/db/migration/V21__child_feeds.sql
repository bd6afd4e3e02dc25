-- Child feeds (issue 26): a feed fetched once per live row of another feed's table.

-- Which transaction last changed each record's hash (inserted, updated, revived): a child feed with
-- for-each.changed-only leaves out the parents whose change is older than the oldest transaction in
-- flight when its last successful run began. Added without a default first (a volatile default would
-- rewrite the table under an exclusive lock); the hashes stored before it have none, and their parents
-- count as changed until they change again.
alter table sync_record_hash add column changed_xid xid8;
alter table sync_record_hash alter column changed_xid set default pg_current_xact_id();

-- A child run: its parent feed and the oldest transaction in flight when it began (the next changed-only
-- run of the same parent reads the parents changed from there), and how its parents went:
-- {total, fetched, notFound, failed}.
alter table sync_run add column parents_feed text;
alter table sync_run add column parents_xmin xid8;
alter table sync_run add column parents jsonb;

-- The parents a full child run fetched whole, so that at its end only their children that the upstream
-- no longer lists are soft-deleted. Scratch data like sync_seen_key: unlogged, emptied when the run ends.
create unlogged table sync_seen_parent (
    run_id  bigint not null,
    columns text[] not null
);
create index sync_seen_parent_run on sync_seen_parent (run_id);

-- A child feed's dead letter keeps its parent's for-each columns: a replay maps it with them.
alter table sync_dead_letter add column parent jsonb;

-- A run started after a successful run of its parent (for-each.after-parent).
alter table sync_run drop constraint sync_run_trigger_check;
alter table sync_run add constraint sync_run_trigger_check
    check (trigger in ('timer', 'rest', 'cli', 'replay', 'drift', 'parent'));
