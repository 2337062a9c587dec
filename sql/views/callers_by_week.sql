-- callers_by_week: callers, not calls, per ISO week and scope (an organisation or '(alla)').
-- layer: 1
-- Grain: ISO year × ISO week × scope, for weeks with calls.
-- Columns:
-- - callers, reached_callers, reached_share: distinct callers (pseudonyms) in the week, and those
--   with at least one answered call; repeat_callers: three or more calls in the week;
-- - gave_up_caller_days … never_through: the daily measures of callers_by_day summed over the week
--   (a caller who gave up on two days counts on both);
-- - resolved_callers / resolution_rate: answered caller-days without a new call within two working days;
-- - anonymous_calls: calls without a pseudonym, never counted as callers;
-- - is_final: false while a day's follow-up window reaches past data_through.
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
