-- Other source systems with calls on the local dates this file brought (temp `touched_dates`), read
-- from source_days (calls per source and date, kept like the facts, so a purge does not hide them).
-- Runs before refresh_facts.sql updates source_days for this file; other sources' days are as stored.
-- Grain: one row per other source system; days = how many of the file's dates it also covers,
-- file_days = how many dates the file brought. Empty when no other source shares a date.
with file_days as (
    select count(*) as n from touched_dates
)

select
    s.source_system,
    count(distinct s.date) as days,
    any_value(f.n) as file_days
from source_days as s
semi join touched_dates as t on t.date = s.date
cross join file_days as f
where s.source_system <> $source_system and s.calls > 0
group by s.source_system
order by days desc, s.source_system
