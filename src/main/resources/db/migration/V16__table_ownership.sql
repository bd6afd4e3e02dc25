-- Which feed defined over the API writes which table (its target.table and the tables its transform
-- bean declares), as schema.table resolved on the search path: a table is written by one feed only,
-- unless every feed writing it says target.shared. A row belongs to one version of the feed's
-- definition and counts while that version is the feed's current one (a deleted feed's rows count
-- no more). Configured feeds are checked by each node against its own configuration.
create table sync_table_owner (
    table_name text    not null,
    feed       text    not null,
    version    integer not null,
    shared     boolean not null,
    primary key (table_name, feed)
);

-- The tables target.create made, and for which feed: target.create adds columns only to a table it
-- made for that feed. The table's oid tells a table made again by someone else under the same name.
create table sync_created_table (
    table_name text        primary key,
    table_oid  oid         not null,
    feed       text        not null,
    created_at timestamptz not null default now()
);
