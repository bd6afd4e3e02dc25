-- Feeds defined over the API (PUT /api/feeds/{feed}), versioned: every change is a new row, so the
-- rows of a feed are its audit log (GET /api/feeds/{feed}/history). A feed's current definition is
-- its newest version, unless that version is a deletion. Secrets are only ever placeholders
-- (dollar, brace, NAME, brace) resolved by each node, never their values.
create table sync_feed_definition (
    feed       text        not null,
    version    integer     not null,
    definition jsonb,
    changed_by text        not null,
    changed_at timestamptz not null default now(),
    deleted    boolean     not null default false,
    primary key (feed, version),
    check (deleted or definition is not null)
);

-- The scheduled feeds of each node's own configuration, by Quartz instance: a node does not retire
-- the stored trigger of a feed that another live node (one in qrtz_scheduler_state) has configured.
create table sync_configured_timer (
    instance text not null,
    feed     text not null,
    primary key (instance, feed)
);
