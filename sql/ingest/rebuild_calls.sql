-- After a change of the settings that shape the statistics: every stored call's local date and
-- hour in $site_tz, and whether it arrived inside opening hours by the (rebuilt) calendar; then the
-- dates whose facts must be recomputed (temp `touched_dates`): every date with call rows, and every
-- date with facts since the purge (a call may have moved to another date with the zone).
update calls
set
    call_date = cast(timezone($site_tz, started_at) as date),
    start_hour = hour(timezone($site_tz, started_at));

update calls
set is_open_hours = coalesce(
    cast(timezone($site_tz, calls.started_at) as time) >= c.opens_at
    and cast(timezone($site_tz, calls.started_at) as time) < c.closes_at,
    false
)
from calendar as c
where c.date = calls.call_date;

create or replace temp table touched_dates as
select distinct call_date as date from calls
union
select date from daily_facts
where $purged_before is null or date >= cast($purged_before as date);
