-- Recompute the caller facts around the dates touched by this file (temp `touched_dates`).
-- A day's caller facts look ahead up to two working days (did the caller get through later, did an
-- answered caller call again), so the days up to two weeks before a touched date are recomputed
-- too. Days and periods before a purge are never recomputed: their call rows are gone and the
-- stored facts are the only record. Only pseudonyms (`caller_key`) are read, never a number.
create or replace temp table workday_ladder as
with numbered as (
    select
        date,
        day_type,
        sum(case when day_type <> 'closed' then 1 else 0 end) over (order by date) as workday_no
    from calendar
),

workdays as (
    select date, workday_no from numbered where day_type <> 'closed'
)

select
    n.date,
    -- past the end of the calendar there are no calls: any later date closes the window
    coalesce(w1.date, n.date + 1) as next_workday,
    coalesce(w2.date, n.date + 2) as second_workday
from numbered as n
left join workdays as w1 on w1.workday_no = n.workday_no + 1
left join workdays as w2 on w2.workday_no = n.workday_no + 2;

create or replace temp table caller_fact_dates as
select l.date, l.next_workday, l.second_workday
from workday_ladder as l
where
    l.date between (select min(date) from touched_dates) - 14 and (select max(date) from touched_dates)
    and l.date >= coalesce(
        (select cast(value as date) from settings where name = 'purged_before'), date '0001-01-01'
    );

create or replace temp table caller_calls as
with span as (
    select min(date) as first_date, max(second_workday) as last_date from caller_fact_dates
),

window_calls as (
    select c.organisation, c.caller_key, c.call_id, c.call_date, c.started_at, c.outcome
    from calls as c, span
    where c.call_date between span.first_date and span.last_date
)

select organisation as scope, caller_key, call_id, call_date, started_at, outcome from window_calls
union all
select '(alla)' as scope, caller_key, call_id, call_date, started_at, outcome from window_calls;

-- Per keyed call: the caller's next call, and the caller's next answered call, in time order.
create or replace temp table caller_steps as
select
    scope,
    caller_key,
    call_date,
    started_at,
    outcome,
    row_number() over (
        partition by scope, caller_key, call_date, outcome order by started_at, call_id
    ) = 1 as first_of_its_outcome_that_day,
    lead(call_date) over (partition by scope, caller_key order by started_at, call_id) as next_call_date,
    -- the earliest later answered call: time and local date together (a struct orders by its first field)
    min(case when outcome = 'answered' then {'at': started_at, 'day': call_date} end) over (
        partition by scope, caller_key order by started_at, call_id
        rows between 1 following and unbounded following
    ) as next_answered
from caller_calls
where caller_key is not null;

delete from caller_day_facts where date in (select date from caller_fact_dates);

insert into caller_day_facts
with caller_days as (
    select
        s.scope,
        s.caller_key,
        s.call_date,
        count(*) as calls,
        bool_or(s.outcome = 'answered') as reached,
        bool_or(s.outcome = 'abandoned') as gave_up,
        -- after the first abandoned call of the day: when and on which date the caller got through
        max(s.next_answered.at - s.started_at) filter (
            where s.outcome = 'abandoned' and s.first_of_its_outcome_that_day
        ) as through_after,
        max(s.next_answered.day) filter (
            where s.outcome = 'abandoned' and s.first_of_its_outcome_that_day
        ) as through_date,
        -- after the first answered call of the day: the date of the caller's next call, if any
        max(s.next_call_date) filter (
            where s.outcome = 'answered' and s.first_of_its_outcome_that_day
        ) as called_again_date
    from caller_steps as s
    group by s.scope, s.caller_key, s.call_date
),

keyed as (
    select
        d.scope,
        d.call_date,
        count(*) as callers,
        count(*) filter (where d.calls > 1) as repeat_callers,
        count(*) filter (where d.reached) as reached_callers,
        count(*) filter (where d.gave_up) as gave_up_callers,
        count(*) filter (where d.gave_up and d.through_after <= interval 1 hour) as through_within_hour,
        count(*) filter (where d.gave_up and d.through_date = d.call_date) as through_same_day,
        count(*) filter (where d.gave_up and d.through_date <= f.next_workday) as through_by_next_workday,
        count(*) filter (
            where d.reached and (d.called_again_date is null or d.called_again_date > f.second_workday)
        ) as resolved_callers
    from caller_days as d
    inner join caller_fact_dates as f on f.date = d.call_date
    group by d.scope, d.call_date
),

anonymous as (
    select
        c.scope,
        c.call_date,
        count(*) as anonymous_calls,
        count(*) filter (where c.outcome = 'answered') as anonymous_answered,
        count(*) filter (where c.outcome = 'abandoned') as anonymous_abandoned
    from caller_calls as c
    inner join caller_fact_dates as f on f.date = c.call_date
    where c.caller_key is null
    group by c.scope, c.call_date
)

select
    f.date,
    coalesce(k.scope, a.scope) as organisation,
    f.next_workday,
    f.second_workday,
    coalesce(k.callers, 0),
    coalesce(k.repeat_callers, 0),
    coalesce(k.reached_callers, 0),
    coalesce(k.gave_up_callers, 0),
    coalesce(k.through_within_hour, 0),
    coalesce(k.through_same_day, 0),
    coalesce(k.through_by_next_workday, 0),
    coalesce(a.anonymous_calls, 0),
    coalesce(a.anonymous_answered, 0),
    coalesce(a.anonymous_abandoned, 0),
    coalesce(k.resolved_callers, 0)
from keyed as k
full outer join anonymous as a on a.scope = k.scope and a.call_date = k.call_date
inner join caller_fact_dates as f on f.date = coalesce(k.call_date, a.call_date);

-- Weeks and months: unique callers cannot be added up from days, so each touched period is counted
-- whole, unless it began before a purge (then part of its calls are gone: its facts stay).
create or replace temp table caller_fact_periods as
with periods as (
    select 'week' as period, week_start as period_start, max(date) as period_end
    from calendar
    group by week_start
    union all
    select 'month' as period, min(date) as period_start, max(date) as period_end
    from calendar
    group by year, month
)

select p.period, p.period_start, p.period_end
from periods as p
where
    exists (select 1 from touched_dates as t where t.date between p.period_start and p.period_end)
    and p.period_start >= coalesce(
        (select cast(value as date) from settings where name = 'purged_before'), date '0001-01-01'
    );

delete from caller_period_facts as c
using caller_fact_periods as p
where c.period = p.period and c.period_start = p.period_start;

insert into caller_period_facts
-- Each date's week and month, so that calls meet their periods by an equality join: a range join
-- (call_date between start and end) over every call cost several times more at millions of calls.
with day_periods as (
    select date, 'week' as period, week_start as period_start from calendar
    union all
    select date, 'month' as period, min(date) over (partition by year, month) as period_start from calendar
),

period_calls as (
    select p.period, p.period_start, p.period_end, c.organisation, c.caller_key, c.outcome
    from calls as c
    inner join day_periods as d on d.date = c.call_date
    inner join caller_fact_periods as p on p.period = d.period and p.period_start = d.period_start
    where c.call_date between (select min(period_start) from caller_fact_periods)
        and (select max(period_end) from caller_fact_periods)
),

scoped as (
    select period, period_start, period_end, organisation as scope, caller_key, outcome from period_calls
    union all
    select period, period_start, period_end, '(alla)' as scope, caller_key, outcome from period_calls
),

per_caller as (
    select
        period,
        period_start,
        period_end,
        scope,
        caller_key,
        count(*) as calls,
        bool_or(outcome = 'answered') as reached
    from scoped
    where caller_key is not null
    group by all
),

keyed as (
    select
        period,
        period_start,
        period_end,
        scope,
        count(*) as callers,
        count(*) filter (where calls >= 3) as repeat_callers,
        count(*) filter (where reached) as reached_callers
    from per_caller
    group by all
),

anonymous as (
    select period, period_start, period_end, scope, count(*) as anonymous_calls
    from scoped
    where caller_key is null
    group by all
)

select
    coalesce(k.period, a.period),
    coalesce(k.period_start, a.period_start),
    coalesce(k.period_end, a.period_end),
    coalesce(k.scope, a.scope),
    coalesce(k.callers, 0),
    coalesce(k.repeat_callers, 0),
    coalesce(k.reached_callers, 0),
    coalesce(a.anonymous_calls, 0)
from keyed as k
full outer join anonymous as a
    on a.period = k.period and a.period_start = k.period_start and a.scope = k.scope;
