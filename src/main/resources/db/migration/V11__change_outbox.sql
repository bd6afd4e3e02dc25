-- Change events (issue 15): each change a sync applies to a feed's target table, written in the
-- same transaction as the change (a transactional outbox), for feeds with a notify section. The
-- row is the target row after the change; for deleted, the row before. Delivered in id order to
-- each endpoint from its position in sync_delivery; delivered events are purged after the feed's
-- notify.retention.
create table sync_change (
    id         bigserial   primary key,
    feed       text        not null,
    run_id     bigint      not null,
    op         text        not null check (op in ('inserted', 'updated', 'deleted', 'revived')),
    record_key text        not null,
    row        jsonb       not null,
    at         timestamptz not null default now()
);
create index sync_change_feed_id on sync_change (feed, id);

-- Where each endpoint of a feed stands: the id of the last event it took, and its failures since.
create table sync_delivery (
    feed       text        not null,
    endpoint   text        not null,
    position   bigint      not null default 0,
    last_error text,
    attempts   integer     not null default 0,
    updated_at timestamptz not null default now(),
    primary key (feed, endpoint)
);
