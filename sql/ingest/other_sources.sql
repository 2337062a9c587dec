-- Other source systems with stored calls on the local dates this file brought (temp `touched_dates`).
-- Grain: one row per other source system; days = how many of the file's dates it also covers,
-- file_days = how many dates the file brought. Empty when no other source shares a date.
with file_days as (
    select count(*) as n from touched_dates
)

select
    c.source_system,
    count(distinct c.call_date) as days,
    any_value(f.n) as file_days
from calls as c
semi join touched_dates as t on t.date = c.call_date
cross join file_days as f
where c.source_system <> $source_system
group by c.source_system
order by days desc, c.source_system
