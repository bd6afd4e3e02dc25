-- The keys a full run has seen, so that at its end the rows it did not see can be soft-deleted.
-- Scratch data, emptied when the run ends: unlogged, since a crash loses nothing worth keeping.

create unlogged table sync_seen_key (
    run_id bigint not null,
    key    text[] not null
);

create index sync_seen_key_run on sync_seen_key (run_id);
