-- Records that could not be applied: kept with their original payload until replayed.

create table sync_dead_letter (
    id            bigserial primary key,
    feed          text        not null,
    run_id        bigint      not null references sync_run (id),
    record_key    text,
    payload       jsonb       not null,
    error_class   text        not null,
    error_message text        not null,
    created_at    timestamptz not null default now(),
    replayed_at   timestamptz,
    replay_run_id bigint references sync_run (id)
);

create index sync_dead_letter_feed_unreplayed on sync_dead_letter (feed, (replayed_at is not null), id);
