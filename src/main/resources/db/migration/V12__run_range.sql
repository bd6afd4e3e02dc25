-- Selective refresh (issue 16): the cursor range a run covered, since..until (until optional); both
-- null for a run from the watermark.
alter table sync_run add column range_since text;
alter table sync_run add column range_until text;
-- Who started a run (issue 16): the API key's or console user's name, or timer, cli.
alter table sync_run add column triggered_by text;
