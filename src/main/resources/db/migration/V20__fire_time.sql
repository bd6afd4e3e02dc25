-- The Quartz fire a timer run was started by: a fire runs at most once across the nodes, whatever
-- the scheduler does (RunGuard refuses a second run of the same feed and fire time).
alter table sync_run add column fire_time timestamptz;
create unique index sync_run_fire on sync_run (feed, fire_time) where fire_time is not null;

-- Feed timers are Quartz triggers of feedsync's own job (io.feedsync.run.FeedTimerJob) now, not
-- camel-quartz's: the triggers it stored go, and each node stores its feeds' triggers again at startup.
delete from qrtz_simprop_triggers where trigger_group = 'feedsync';
delete from qrtz_cron_triggers where trigger_group = 'feedsync';
delete from qrtz_simple_triggers where trigger_group = 'feedsync';
delete from qrtz_blob_triggers where trigger_group = 'feedsync';
delete from qrtz_fired_triggers where trigger_group = 'feedsync';
delete from qrtz_triggers where trigger_group = 'feedsync';
delete from qrtz_job_details where job_group = 'feedsync' or job_name like 'feedsync%';
