-- The audit trail (issue 16): every operator action over the API — run, replay, drift check, pause,
-- resume, feed definition put and delete — refused ones too: who (the API key's or console user's
-- name), what (the request, secrets masked), on which feed, and the outcome (HTTP status, run id,
-- error code). Rows are only ever added.
create table sync_audit (
    id      bigserial   primary key,
    at      timestamptz not null default now(),
    actor   text        not null,
    action  text        not null,
    feed    text,
    request jsonb,
    status  integer     not null,
    run_id  bigint,
    error   text
);
create index sync_audit_at on sync_audit (at desc, id desc);
create index sync_audit_feed_at on sync_audit (feed, at desc, id desc);
