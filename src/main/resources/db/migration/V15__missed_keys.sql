-- target.soft-delete-after: how many consecutive complete full runs in a row have missed each row
-- a full run did not see. Only rows missed by the last full run are here (a row seen again loses
-- its entry), so the table stays as small as what is pending deletion, whatever the table's size.
-- The key is the target row's key columns as text, as a full run compares them with the keys seen.

create table sync_missed_key (
    feed   text    not null,
    key    text[]  not null,
    misses integer not null check (misses > 0),
    primary key (feed, key)
);

-- Rows a full run missed but did not soft-delete yet (fewer misses than soft-delete-after).
alter table sync_run add column pending_deletes bigint not null default 0;
