-- Target tables of the test feeds (see application-test.yaml).

create table if not exists public.test_plans (
    epa_type          text primary key,
    ncpdp_version     text        not null,
    gateway_id        integer     not null,
    outgoing_url      text,
    certificates      jsonb       not null default '[]',
    updated_at        timestamptz
);

create table if not exists public.test_no_unique_key (
    epa_type      text,
    ncpdp_version text
);

-- lets tests make PostgreSQL itself reject one row of a batch
alter table public.test_plans drop constraint if exists test_plans_version_not_rejected;
alter table public.test_plans add constraint test_plans_version_not_rejected check (ncpdp_version <> 'rejected-by-db');

-- full runs of the plans-full feed mark rows the upstream no longer has
alter table public.test_plans add column if not exists deleted_at timestamptz;

-- the target of KilledNodeTest's feed, synced by feedsync nodes it starts and kills
create table if not exists public.killed_node_plans (
    epa_type      text primary key,
    ncpdp_version text    not null,
    gateway_id    integer not null
);

-- the target of ClusterTest's feeds, synced by the two feedsync nodes it starts
create table if not exists public.cluster_plans (
    epa_type      text primary key,
    ncpdp_version text    not null,
    gateway_id    integer not null
);

-- lets tests make PostgreSQL fail a write with any SQLSTATE: a row whose version is
-- 'sqlstate-<code>' raises an error with that code
create or replace function test_plans_raise_sqlstate() returns trigger language plpgsql as $$
begin
    if new.ncpdp_version like 'sqlstate-%' then
        raise exception 'scripted failure %', new.ncpdp_version using errcode = substr(new.ncpdp_version, 10);
    end if;
    return new;
end
$$;
drop trigger if exists test_plans_raise_sqlstate on test_plans;
create trigger test_plans_raise_sqlstate before insert or update on test_plans
    for each row execute function test_plans_raise_sqlstate();

-- the target of security.SecretsInLogsSecurityTest's feed defined over the API, which no configured
-- feed writes; PostgreSQL rejects a row whose version is 'rejected-by-db'
create table if not exists public.traced_plans (
    epa_type      text primary key,
    ncpdp_version text    not null check (ncpdp_version <> 'rejected-by-db'),
    gateway_id    integer not null
);

-- run.ChildFeedTest: clients, and each client's appointments (a child feed, source.for-each)
create table if not exists public.test_clients (
    client_id  integer primary key,
    name       text,
    region     text,
    deleted_at timestamptz
);
create table if not exists public.test_appointments (
    appointment_id text primary key,
    client_id      integer,
    starts_at      timestamptz,
    deleted_at     timestamptz
);
-- the table of run.ChildFeedTest's child feeds defined over the API (target.shared: they all write it)
create table if not exists public.test_child_rows (
    appointment_id text primary key,
    client_id      integer,
    starts_at      timestamptz,
    deleted_at     timestamptz
);
-- run.ChildFeedTest: a child record that the database refuses for a transient reason (a serialization
-- failure), failing its chunk's write
create or replace function test_appointments_fail() returns trigger language plpgsql as $$
begin
    if new.appointment_id = 'fails-transiently' then
        raise exception 'scripted serialization failure' using errcode = '40001';
    end if;
    return new;
end
$$;
drop trigger if exists test_appointments_fail on test_appointments;
create trigger test_appointments_fail before insert or update on test_appointments
    for each row execute function test_appointments_fail();
