-- The dates a file brought calls on (temp `touched_dates`) join the stale dates, in the file's own
-- transaction: their facts and caller facts are recounted once, after the run's last file
-- (stale_dates_to_refresh.sql), and a run that dies before that leaves them for the next one.
insert into stale_fact_dates
select date from touched_dates
except
select date from stale_fact_dates
