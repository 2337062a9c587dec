-- The dates the calendar must cover: from the first to the last date of the stored facts, of the
-- dates whose facts are still to be recounted (stale_fact_dates: earlier files of this run) and of
-- the file's rows that were not rejected. Null when there are none.
select
    least((select min(date) from daily_facts), (select min(date) from stale_fact_dates), min(local_date)),
    greatest((select max(date) from daily_facts), (select max(date) from stale_fact_dates), max(local_date))
from judged_summary
where verdict <> 'rejected'
