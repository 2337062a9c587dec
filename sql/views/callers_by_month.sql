-- callers_by_month: callers, not calls, per calendar month and scope (an organisation or '(alla)').
-- layer: 1
-- Grain: year × month × scope, for months with calls. Columns as in callers_by_week, over the month
-- (repeat_callers: three or more calls in the month).
-- column callers: distinct callers (pseudonyms) in the month.
-- column repeat_callers: callers with three or more calls in the month.
-- column reached_callers: callers with at least one call answered by a person in the month.
-- columns as in: callers_by_week, base_days
create or replace view callers_by_month as
with days as (
    select
        c.year,
        c.month,
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
    group by c.year, c.month, f.organisation
)

select
    c.year,
    c.month,
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
left join days as d on d.year = c.year and d.month = c.month and d.organisation = p.organisation
where p.period = 'month'
order by c.year, c.month, p.organisation
