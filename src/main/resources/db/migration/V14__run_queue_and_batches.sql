-- The run queue (issue 16, item 2): a run waits QUEUED for one of its node's
-- feedsync.max-concurrent-runs slots, holding no connection and no lock. queued_by names the node's
-- life (see io.feedsync.run.LiveNodes): while that node lives it holds an advisory lock on it, so a
-- QUEUED row whose lock is gone was left by a node that died and becomes ABANDONED. A queued run
-- that finds its feed taken when its turn comes (a command-line run), paused or deleted ends SKIPPED.
alter table sync_run drop constraint sync_run_status_check;
alter table sync_run add constraint sync_run_status_check
    check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'ABANDONED', 'SKIPPED'));
alter table sync_run add column queued_by text;
alter table sync_run add column queued_at timestamptz;

-- Batch refresh (issue 16, item 2): POST /api/runs starts several feeds at once. One row per batch,
-- one per feed it named (in order): the run it started, or why it did not start one.
create table sync_batch (
    id         bigserial   primary key,
    created_at timestamptz not null default now(),
    created_by text        not null,
    -- whether the key that created it was scoped: a scoped key sees only the batches it created
    scoped     boolean     not null,
    request    jsonb       not null
);

create table sync_batch_entry (
    batch_id bigint  not null references sync_batch (id),
    position integer not null,
    feed     text    not null,
    run_id   bigint,
    -- null when run_id names the run started; else running, paused or not_found
    reason   text    check (reason in ('running', 'paused', 'not_found')),
    primary key (batch_id, position),
    check ((run_id is null) <> (reason is null))
);

-- A batch is audited in the batch's own transaction, with its id (its runs are in the batch).
alter table sync_audit add column batch_id bigint;
