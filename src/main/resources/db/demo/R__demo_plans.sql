-- DEMO ONLY (profile demo): the target table of the bundled sample feed epa-clients.
-- A repeatable migration, so that it never interleaves with feedsync's own versioned ones.

create table if not exists demo_plans (
    epa_type          text primary key,
    ncpdp_version     text        not null,
    gateway_id        integer     not null,
    incoming_username text,
    outgoing_url      text,
    certificates      jsonb       not null default '[]'
);
