-- Recompute the caller facts around the dates touched by this file (temp `touched_dates`).
-- A day's caller facts look ahead up to two working days (did the caller get through later, did an
-- answered caller call again), so the days up to two weeks before a touched date are recomputed
-- too. Days and periods before a purge are never recomputed: their call rows are gone and the
-- stored facts are the only record. Only pseudonyms (`caller_key`) are read, never a number.
--
-- The calls are read once, into one row per organisation, caller and date; the '(alla)' scope, the
-- follow-up windows and the weeks and months are derived from those rows. A caller seen in only one
-- organisation in the span has '(alla)' facts equal to that organisation's, day by day and period by
-- period: their organisation's rows are counted for '(alla)' as well, and '(alla)' is grouped and
-- judged again only for the callers of more than one organisation. Every measure asks whether some
-- call came after a given one (the day's first abandoned or first answered call) within a window,
-- so it is answered from the day's first and last calls of each outcome and from the caller's later
-- days, without ordering every call (windows over all calls, once per scope, cost most of an ingest
-- at millions of calls).
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

-- Every call of the span once: its caller as the 64-bit number that the pseudonym's 16 hex digits are
-- (cheaper to group and join than text), and its place in time order as one integer, `at_key`:
-- microseconds since 1970 × 1000 plus its rank by call_id among the same caller's calls at the same
-- instant (time, then call_id, is the order the facts are defined by; such ties are rare, and fewer
-- than a thousand at one instant). Withheld numbers have no caller and need no order.
create or replace temp table caller_calls as
with spans as (
    select min(date) as first_date, max(second_workday) as last_date from caller_fact_dates
    union all
    select min(period_start), max(period_end) from caller_fact_periods
),

span as (select min(first_date) as first_date, max(last_date) as last_date from spans),

span_calls as (
    select
        c.organisation,
        cast('0x' || c.caller_key as ubigint) as caller,
        c.call_date,
        c.started_at,
        c.call_id,
        c.outcome
    from calls as c, span
    where c.call_date between span.first_date and span.last_date
),

tied_instants as (
    select caller, started_at
    from span_calls
    where caller is not null
    group by caller, started_at
    having count(*) > 1
)

select s.organisation, s.caller, s.call_date, s.outcome, epoch_us(s.started_at) * 1000 as at_key
from span_calls as s
anti join tied_instants as t on t.caller = s.caller and t.started_at = s.started_at
union all
select
    s.organisation,
    s.caller,
    s.call_date,
    s.outcome,
    epoch_us(s.started_at) * 1000
    + row_number() over (partition by s.caller, s.started_at order by s.call_id) - 1 as at_key
from span_calls as s
semi join tied_instants as t on t.caller = s.caller and t.started_at = s.started_at;

-- One row per organisation, caller (null: withheld) and date: the day's first abandoned, first and
-- last answered, and last call, as `at_key`s.
create or replace temp table caller_org_days as
select
    organisation,
    caller,
    call_date,
    count(*) as calls,
    count(*) filter (where outcome = 'answered') as answered_calls,
    count(*) filter (where outcome = 'abandoned') as abandoned_calls,
    min(at_key) filter (where outcome = 'abandoned') as first_abandoned,
    min(at_key) filter (where outcome = 'answered') as first_answered,
    max(at_key) filter (where outcome = 'answered') as last_answered,
    max(at_key) as last_call
from caller_calls
group by organisation, caller, call_date;

-- Callers with calls on more than one day (or in more than one organisation) in the span, and
-- whether in more than one organisation (`mixed`). Every other caller has one row of calls in the
-- span: no later days to look at, and a week and a month that are that one day. Only mixed callers
-- need '(alla)' rows of their own: every other caller's '(alla)' facts are their one organisation's
-- (the same calls, the same later days), so those rows are counted twice instead of grouped and
-- judged again.
create or replace temp table returning_callers as
select caller, min(organisation) <> max(organisation) as mixed
from caller_org_days
where caller is not null
group by caller
having count(*) > 1;

-- The same per scope: each organisation (`also_alla`: the row counts for '(alla)' too), and '(alla)'
-- for the mixed callers, where a caller of both organisations is one.
create or replace temp table scoped_caller_days as
with day_span as (select min(date) as first_date, max(second_workday) as last_date from caller_fact_dates)

select d.organisation as scope, d.caller, d.call_date, d.calls, d.first_abandoned, d.first_answered,
    d.last_answered, d.last_call, r.caller is not null as returns, not coalesce(r.mixed, false) as also_alla
from caller_org_days as d
cross join day_span
left join returning_callers as r on r.caller = d.caller
where d.caller is not null and d.call_date between day_span.first_date and day_span.last_date
union all
select '(alla)', d.caller, d.call_date, sum(d.calls), min(d.first_abandoned), min(d.first_answered),
    max(d.last_answered), max(d.last_call), true, false
from caller_org_days as d
cross join day_span
semi join (select caller from returning_callers where mixed) as m on m.caller = d.caller
where d.call_date between day_span.first_date and day_span.last_date
group by d.caller, d.call_date;

delete from caller_day_facts where date in (select date from caller_fact_dates);

insert into caller_day_facts
with fact_days as (
    select d.*, f.next_workday, f.second_workday
    from scoped_caller_days as d
    inner join caller_fact_dates as f on f.date = d.call_date
),

-- What the caller did on later days within the day's follow-up windows (at most two working days on).
later_days as (
    select
        d.scope,
        d.caller,
        d.call_date,
        bool_or(l.first_answered is not null and l.call_date <= d.next_workday) as answered_by_next_workday,
        bool_or(l.first_answered // 1000 - d.first_abandoned // 1000 <= 3600000000) as answered_within_hour,
        true as called_within_two_workdays
    from fact_days as d
    inner join (select * from scoped_caller_days where returns) as l
        on
            l.scope = d.scope
            and l.caller = d.caller
            and l.call_date > d.call_date
            and l.call_date <= d.second_workday
    where d.returns
    group by d.scope, d.caller, d.call_date
),

-- Answered calls both before and after the first abandoned one that day: which came next after it
-- is not among the day's first and last, so those days look at their calls.
unordered_days as (
    select scope, caller, call_date, first_abandoned
    from fact_days
    where first_answered < first_abandoned and last_answered > first_abandoned
),

answered_soon_after as (
    select distinct u.scope, u.caller, u.call_date
    from unordered_days as u
    inner join caller_calls as c on c.caller = u.caller and c.call_date = u.call_date
    where
        c.outcome = 'answered'
        and (u.scope = '(alla)' or u.scope = c.organisation)
        and c.at_key > u.first_abandoned
        and c.at_key // 1000 - u.first_abandoned // 1000 <= 3600000000
),

judged as (
    select
        d.scope,
        d.call_date,
        d.also_alla,
        d.calls > 1 as repeated,
        d.first_answered is not null as reached,
        d.first_abandoned is not null as gave_up,
        -- after the first abandoned call of the day: answered later that day, or on a later day
        -- (at_key // 1000 is the call's time in microseconds: 3600000000 is an hour)
        coalesce(d.last_answered > d.first_abandoned, false) as through_same_day,
        coalesce(
            d.first_answered > d.first_abandoned and d.first_answered // 1000 - d.first_abandoned // 1000 <= 3600000000,
            false
        ) or s.caller is not null or coalesce(l.answered_within_hour, false) as through_within_hour,
        coalesce(l.answered_by_next_workday, false) as through_on_a_later_workday,
        -- after the first answered call of the day: no further call that day or in two working days
        coalesce(d.last_call > d.first_answered, false) or coalesce(l.called_within_two_workdays, false)
            as called_again
    from fact_days as d
    left join later_days as l on l.scope = d.scope and l.caller = d.caller and l.call_date = d.call_date
    left join answered_soon_after as s
        on s.scope = d.scope and s.caller = d.caller and s.call_date = d.call_date
),

counted as (
    select
        scope,
        call_date,
        also_alla,
        count(*) as callers,
        count(*) filter (where repeated) as repeat_callers,
        count(*) filter (where reached) as reached_callers,
        count(*) filter (where gave_up) as gave_up_callers,
        count(*) filter (where gave_up and through_within_hour) as through_within_hour,
        count(*) filter (where gave_up and through_same_day) as through_same_day,
        count(*) filter (where gave_up and (through_same_day or through_on_a_later_workday))
            as through_by_next_workday,
        count(*) filter (where reached and not called_again) as resolved_callers
    from judged
    group by scope, call_date, also_alla
),

-- Each scope's counts, '(alla)' with the rows of the callers of one organisation added in.
keyed as (
    select
        scope,
        call_date,
        sum(callers) as callers,
        sum(repeat_callers) as repeat_callers,
        sum(reached_callers) as reached_callers,
        sum(gave_up_callers) as gave_up_callers,
        sum(through_within_hour) as through_within_hour,
        sum(through_same_day) as through_same_day,
        sum(through_by_next_workday) as through_by_next_workday,
        sum(resolved_callers) as resolved_callers
    from (
        select * exclude (also_alla) from counted
        union all
        select '(alla)', * exclude (scope, also_alla) from counted where also_alla
    )
    group by scope, call_date
),

anonymous_by_organisation as (
    select
        d.organisation as scope,
        d.call_date,
        d.calls as anonymous_calls,
        d.answered_calls as anonymous_answered,
        d.abandoned_calls as anonymous_abandoned
    from caller_org_days as d
    inner join caller_fact_dates as f on f.date = d.call_date
    where d.caller is null
),

anonymous as (
    select * from anonymous_by_organisation
    union all
    select
        '(alla)',
        call_date,
        sum(anonymous_calls),
        sum(anonymous_answered),
        sum(anonymous_abandoned)
    from anonymous_by_organisation
    group by call_date
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

delete from caller_period_facts as c
using caller_fact_periods as p
where c.period = p.period and c.period_start = p.period_start;

insert into caller_period_facts
-- Each date's week and month, so that days meet their periods by an equality join: a range join
-- (call_date between start and end) cost several times more at millions of calls.
with day_periods as (
    select date, week_start, min(date) over (partition by year, month) as month_start from calendar
),

period_days as (
    select
        d.organisation,
        d.caller,
        d.calls,
        d.answered_calls,
        p.week_start,
        p.month_start,
        d.caller is null or r.caller is not null as grouped,
        coalesce(r.mixed, false) as mixed
    from caller_org_days as d
    inner join day_periods as p on p.date = d.call_date
    left join returning_callers as r on r.caller = d.caller
),

-- Per organisation and caller (null: the withheld numbers together) and week, and per organisation
-- and caller and month, in one pass over the days of the callers with more than one;
-- `also_alla`: the group counts for '(alla)' too (a caller of one organisation, or the withheld
-- numbers, whose calls add up).
organisation_groups as (
    select
        organisation,
        caller,
        not mixed as also_alla,
        week_start,
        month_start,
        sum(calls) as calls,
        sum(answered_calls) > 0 as reached
    from period_days
    where grouped
    group by grouping sets (
        (organisation, caller, also_alla, week_start),
        (organisation, caller, also_alla, month_start)
    )
),

-- The same for both organisations together, for the mixed callers.
mixed_groups as (
    select
        caller,
        week_start,
        month_start,
        sum(calls) as calls,
        sum(answered_calls) > 0 as reached
    from period_days
    where mixed
    group by grouping sets ((caller, week_start), (caller, month_start))
),

scoped as (
    select
        case when week_start is not null then 'week' else 'month' end as period,
        coalesce(week_start, month_start) as period_start,
        organisation as scope,
        also_alla,
        caller,
        calls,
        reached
    from organisation_groups
    union all
    -- a caller's one day of calls is its week and its month
    select 'week', week_start, organisation, true, caller, calls, answered_calls > 0
    from period_days
    where not grouped
    union all
    select 'month', month_start, organisation, true, caller, calls, answered_calls > 0
    from period_days
    where not grouped
    union all
    select
        case when week_start is not null then 'week' else 'month' end,
        coalesce(week_start, month_start),
        '(alla)',
        false,
        caller,
        calls,
        reached
    from mixed_groups
),

counted as (
    select
        f.period,
        f.period_start,
        f.period_end,
        s.scope,
        s.also_alla,
        count(s.caller) as callers,
        count(s.caller) filter (where s.calls >= 3) as repeat_callers,
        count(s.caller) filter (where s.reached) as reached_callers,
        coalesce(sum(s.calls) filter (where s.caller is null), 0) as anonymous_calls
    from scoped as s
    inner join caller_fact_periods as f on f.period = s.period and f.period_start = s.period_start
    group by f.period, f.period_start, f.period_end, s.scope, s.also_alla
)

-- Each scope's counts, '(alla)' with the groups of the callers of one organisation added in.
select period, period_start, period_end, scope, sum(callers), sum(repeat_callers), sum(reached_callers),
    sum(anonymous_calls)
from (
    select * exclude (also_alla) from counted
    union all
    select period, period_start, period_end, '(alla)', callers, repeat_callers, reached_callers,
        anonymous_calls
    from counted
    where also_alla
)
group by period, period_start, period_end, scope;
