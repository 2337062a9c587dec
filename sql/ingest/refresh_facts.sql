-- Recompute the daily and hourly facts of the dates in temp `touched_dates` (the stale dates of an
-- ingest, or every date after a change of settings) from the call rows. Dates before a purge are
-- never touched: their call rows are gone and their facts are the only record (the ingest filters
-- such calls).
delete from daily_facts where date in (select date from touched_dates);
delete from hourly_facts where date in (select date from touched_dates);

insert into daily_facts
select
    call_date as date,
    organisation,
    count(*) as calls,
    count(*) filter (where outcome = 'answered') as answered,
    count(*) filter (where outcome = 'abandoned') as abandoned,
    count(*) filter (where outcome = 'abandoned' and coalesce(wait_s, 0) < $short_abandon_s) as short_abandons,
    count(*) filter (where outcome not in ('answered', 'abandoned')) as other_outcomes,
    count(*) filter (where not is_open_hours) as after_hours,
    count(*) filter (where outcome = 'answered' and coalesce(wait_s, 0) <= $service_level_s)
        as answered_within_sl,
    coalesce(sum(wait_s) filter (where outcome = 'answered'), 0) as wait_answered_s_sum,
    coalesce(sum(talk_s) filter (where outcome = 'answered'), 0) as talk_s_sum
from calls
where call_date in (select date from touched_dates)
group by all;

insert into hourly_facts
select
    call_date as date,
    organisation,
    start_hour as hour,
    count(*) as calls,
    count(*) filter (where outcome = 'answered') as answered,
    count(*) filter (where outcome = 'abandoned') as abandoned
from calls
where call_date in (select date from touched_dates)
group by all;
