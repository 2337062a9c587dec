-- The dates the calendar must cover: from the first to the last date of the stored facts and of the
-- file's rows that were not rejected. Null when there are none.
select
    least((select min(date) from daily_facts), min(local_date)),
    greatest((select max(date) from daily_facts), max(local_date))
from judged_summary
where verdict <> 'rejected'
