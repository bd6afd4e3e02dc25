-- A record dead-lettered again while its letter still waits (the next run sends it again, or a
-- retried page is read again) updates that letter instead of adding one: found by its payload.

create index sync_dead_letter_pending_payload on sync_dead_letter (feed, md5(payload::text)) where replayed_at is null;
