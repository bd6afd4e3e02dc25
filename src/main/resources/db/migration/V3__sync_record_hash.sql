-- The content hash of each record as last applied, per feed and record key: the memory of the
-- idempotent consumer, so an unchanged record is skipped before any write.

create table sync_record_hash (
    feed         text   not null,
    record_key   text   not null,
    key_hash     bigint not null,
    content_hash bigint not null,
    primary key (feed, record_key)
);
