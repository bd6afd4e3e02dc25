-- DEMO (profile demo) and example tables of the bundled epa_clients mapping (seed 000's
-- partner-service): one export record becomes a partner, a plan, its auth config and its
-- certificates. A repeatable migration, so that it never interleaves with feedsync's own.

drop table if exists demo_plans;

create table if not exists epa_partners (
    name       text primary key
);

create table if not exists epa_plans (
    epa_type      text primary key,
    partner_name  text        not null references epa_partners (name),
    ncpdp_version text        not null,
    gateway_id    integer     not null,
    deleted_at    timestamptz
);

create table if not exists epa_auth_configs (
    epa_type          text primary key references epa_plans (epa_type),
    incoming_username text,
    outgoing_url      text
);

create table if not exists epa_certificates (
    gateway_certificate_id integer primary key,
    epa_type               text not null references epa_plans (epa_type),
    direction              text not null,
    fingerprint            text,
    expires_on             date
);
