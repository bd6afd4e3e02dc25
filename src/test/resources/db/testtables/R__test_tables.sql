-- Target tables of the test feeds (see application-test.yaml).

create table if not exists test_plans (
    epa_type          text primary key,
    ncpdp_version     text        not null,
    gateway_id        integer     not null,
    outgoing_url      text,
    certificates      jsonb       not null default '[]',
    updated_at        timestamptz
);

create table if not exists test_no_unique_key (
    epa_type      text,
    ncpdp_version text
);

-- lets tests make PostgreSQL itself reject one row of a batch
alter table test_plans drop constraint if exists test_plans_version_not_rejected;
alter table test_plans add constraint test_plans_version_not_rejected check (ncpdp_version <> 'rejected-by-db');

-- full runs of the plans-full feed mark rows the upstream no longer has
alter table test_plans add column if not exists deleted_at timestamptz;

-- the target of KilledNodeTest's feed, synced by feedsync nodes it starts and kills
create table if not exists killed_node_plans (
    epa_type      text primary key,
    ncpdp_version text    not null,
    gateway_id    integer not null
);

-- the target of ClusterTest's feeds, synced by the two feedsync nodes it starts
create table if not exists cluster_plans (
    epa_type      text primary key,
    ncpdp_version text    not null,
    gateway_id    integer not null
);
