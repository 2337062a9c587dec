-- callers_by_week: callers, not calls, per ISO week and scope (an organisation or '(alla)').
-- layer: 1
-- Grain: ISO year × ISO week × scope, for weeks with calls.
-- column callers: distinct callers (pseudonyms) in the week.
-- column repeat_callers: callers with three or more calls in the week.
-- column reached_callers: callers with at least one call answered by a person in the week.
-- column reached_share: reached_callers ÷ callers, four decimals.
-- column gave_up_caller_days: gave_up_callers of callers_by_day summed over the week (a caller who
--   gave up on two days counts twice).
-- column through_within_hour: of those caller-days, answered within an hour of the first abandoned call.
-- column through_same_day: of those caller-days, answered later the same date.
-- column through_by_next_workday: of those caller-days, answered by the end of the next working day.
-- column never_through: of those caller-days, not answered by the end of the next working day.
-- column resolved_callers: answered caller-days without a new call within two working days.
-- column resolution_rate: resolved_callers ÷ answered caller-days, four decimals.
-- column anonymous_calls: calls without a pseudonym (withheld numbers), never counted as callers.
-- column is_final: false while a day's follow-up window (two working days) reaches past data_through.
-- columns as in: base_days
create or replace view callers_by_week as
with days as (
    select
        c.week_start,
        f.organisation,
        sum(f.gave_up_callers) as gave_up_caller_days,
        sum(f.through_within_hour) as through_within_hour,
        sum(f.through_same_day) as through_same_day,
        sum(f.through_by_next_workday) as through_by_next_workday,
        sum(f.reached_callers) as reached_caller_days,
        sum(f.resolved_callers) as resolved_callers,
        max(f.second_workday) as last_follow_up
    from caller_day_facts as f
    inner join calendar as c on c.date = f.date
    group by c.week_start, f.organisation
)

select
    c.iso_year,
    c.iso_week,
    p.period_start as week_start,
    p.organisation,
    p.callers,
    p.repeat_callers,
    p.reached_callers,
    share_of(p.reached_callers, p.callers) as reached_share,
    cast(coalesce(d.gave_up_caller_days, 0) as bigint) as gave_up_caller_days,
    cast(coalesce(d.through_within_hour, 0) as bigint) as through_within_hour,
    cast(coalesce(d.through_same_day, 0) as bigint) as through_same_day,
    cast(coalesce(d.through_by_next_workday, 0) as bigint) as through_by_next_workday,
    cast(coalesce(d.gave_up_caller_days - d.through_by_next_workday, 0) as bigint) as never_through,
    cast(coalesce(d.resolved_callers, 0) as bigint) as resolved_callers,
    share_of(d.resolved_callers, d.reached_caller_days) as resolution_rate,
    p.anonymous_calls,
    coalesce(
        d.last_follow_up <= (select cast(value as date) from settings where name = 'data_through'), true
    ) as is_final
from caller_period_facts as p
inner join calendar as c on c.date = p.period_start
left join days as d on d.week_start = p.period_start and d.organisation = p.organisation
where p.period = 'week'
order by p.period_start, p.organisation
