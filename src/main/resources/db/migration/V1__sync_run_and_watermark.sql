-- feedsync's own bookkeeping: one row per run, one watermark per feed.

create table sync_run (
    id                bigserial primary key,
    feed              text        not null,
    trigger           text        not null check (trigger in ('timer', 'rest', 'cli', 'replay')),
    mode              text        not null check (mode in ('incremental', 'full')),
    dry_run           boolean     not null default false,
    status            text        not null check (status in ('RUNNING', 'SUCCEEDED', 'FAILED', 'ABANDONED')),
    pages             integer     not null default 0,
    fetched           bigint      not null default 0,
    inserted          bigint      not null default 0,
    updated           bigint      not null default 0,
    unchanged         bigint      not null default 0,
    deleted           bigint      not null default 0,
    dead_lettered     bigint      not null default 0,
    started_at        timestamptz not null default now(),
    finished_at       timestamptz,
    watermark         text,
    error_class       text check (error_class in ('TRANSIENT', 'PERMANENT')),
    error_message     text,
    error_http_status integer,
    error_url         text,
    node              text
);

create index sync_run_feed_newest on sync_run (feed, id desc);

-- The advisory lock admits one run per feed; this index makes a second RUNNING row impossible too.
create unique index sync_run_one_running_per_feed on sync_run (feed) where status = 'RUNNING';

create table sync_watermark (
    feed       text primary key,
    value      text        not null,
    run_id     bigint references sync_run (id),
    updated_at timestamptz not null default now()
);
