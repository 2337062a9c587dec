-- Recount the calls per source system of the dates in temp `touched_dates` (source_days). Done for
-- each file as it is loaded, unlike the facts: the next file's check for other sources on the same
-- days (other_sources.sql) reads it.
delete from source_days where date in (select date from touched_dates);

insert into source_days
select source_system, call_date as date, count(*) as calls
from calls
where call_date in (select date from touched_dates)
group by all;
