-- Feeds held back by an operator (POST /api/feeds/{feed}/pause): no node
-- starts a run of a paused feed until it is resumed. Kept here, not in Quartz, so that a pause holds
-- on every node, across restarts and schedule changes.
create table sync_feed_pause (
    feed      text primary key,
    paused_at timestamptz not null default now(),
    paused_by text        not null,
    reason    text
);
