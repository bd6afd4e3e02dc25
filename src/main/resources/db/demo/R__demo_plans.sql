-- DEMO (profile demo) and example tables of the bundled epa_clients mapping (an EPA partner
-- service's tables): one export record becomes a partner, a plan, its auth config and its
-- certificates. A repeatable migration, so that it never interleaves with feedsync's own.

create table if not exists public.epa_partners (
    name       text primary key
);

create table if not exists public.epa_plans (
    epa_type      text primary key,
    partner_name  text        not null references public.epa_partners (name),
    ncpdp_version text        not null,
    gateway_id    integer     not null,
    deleted_at    timestamptz
);

create table if not exists public.epa_auth_configs (
    epa_type          text primary key references public.epa_plans (epa_type),
    incoming_username text,
    outgoing_url      text
);

create table if not exists public.epa_certificates (
    gateway_certificate_id integer primary key,
    epa_type               text not null references public.epa_plans (epa_type),
    direction              text not null,
    fingerprint            text,
    expires_on             date
);
