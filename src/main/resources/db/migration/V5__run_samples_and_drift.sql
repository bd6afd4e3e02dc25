-- Up to ten keys per outcome (inserted, updated, unchanged, deleted, deadLettered) of each run, so
-- that a dry run shows what it would do; and drift checks, which are dry runs of their own.

alter table sync_run add column samples jsonb;

alter table sync_run drop constraint sync_run_trigger_check;
alter table sync_run add constraint sync_run_trigger_check
    check (trigger in ('timer', 'rest', 'cli', 'replay', 'drift'));
