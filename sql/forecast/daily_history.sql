-- daily_history: calls per calendar date inside the data (first date … data_through) for one scope,
-- with the calendar's day type; dates without calls count 0. The forecast's only input per day.
-- Params: $org ('' = whole switchboard).
with bounds as (
    select
        (select min(date) from daily_facts) as first_date,
        (select cast(value as date) from settings where name = 'data_through') as data_through
),

facts as (
    select
        date,
        sum(calls) as calls,
        sum(answered) as answered,
        sum(abandoned) as abandoned,
        sum(answered_within_sl) as answered_within_sl,
        sum(talk_s_sum) as talk_s_sum
    from daily_facts
    where $org = '' or organisation = $org
    group by date
)

select
    c.date,
    c.weekday,
    c.day_type,
    cast(coalesce(f.calls, 0) as bigint) as calls,
    cast(coalesce(f.answered, 0) as bigint) as answered,
    cast(coalesce(f.abandoned, 0) as bigint) as abandoned,
    cast(coalesce(f.answered_within_sl, 0) as bigint) as answered_within_sl,
    coalesce(f.talk_s_sum, 0) as talk_s_sum
from calendar as c
cross join bounds as b
left join facts as f on f.date = c.date
where c.date between b.first_date and b.data_through
order by c.date
