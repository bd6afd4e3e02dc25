-- Change-event retention the same on every node: each node registers the endpoints it delivers a
-- feed's events to (a sync_delivery row, position 0 until the endpoint takes one) and refreshes
-- seen_at, with the retention it has for the feed, at startup and before each purge. A purge keeps
-- every event an endpoint seen within feedsync.delivery.registration-grace has not taken, whatever
-- the purging node's own notify settings; existing rows count as seen from now.
alter table sync_delivery add column seen_at timestamptz not null default now();
alter table sync_delivery add column retention_ms bigint;
