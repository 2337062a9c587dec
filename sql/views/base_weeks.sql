-- base_weeks: ISO weeks per scope with working days, partial marks and like-for-like prior year.
-- layer: 2
-- Grain: scope (organisation or '(alla)') × ISO year × ISO week, for weeks with at least one day of data.
-- Edge cases:
-- - a week cut by the start or end of the data (the current week) has is_complete = false and is
--   compared with the same weekdays of the same ISO week a year earlier (like for like);
-- - week 53 has no counterpart in the previous ISO year: prior-year columns are NULL;
-- - prior-year columns are NULL when the prior period lies (partly) outside the data, and the
--   *_yoy_pct columns are NULL when the prior value is NULL or zero;
-- - workdays counts working days inside the data (half days 0.5); workdays_in_week the whole week.
-- column week_start: the Monday of the ISO week.
-- column week_end: the Sunday of the ISO week.
-- column through_date: the last day of the week inside the data (before week_end in the current week).
-- column days_covered: calendar days of the week inside the data, 1–7.
-- column is_complete: all seven days of the week lie inside the data.
-- column is_partial: the week is incomplete or has fewer than five working days (holidays, half days).
-- column workdays: working days of the week inside the data (half days count 0.5).
-- column workdays_in_week: working days of the whole week.
-- column calls: offered calls in the week, one per call however many legs the telephony system logged.
-- column answered: calls in the week answered by a person.
-- column abandoned: calls in the week where the caller hung up before an answer.
-- column short_abandons: abandoned calls that waited less than short_abandon_s seconds (part of abandoned).
-- column after_hours: calls that arrived outside the opening hours.
-- column answer_rate: answered ÷ calls, a fraction with four decimals (short abandons included in calls).
-- column service_level: calls answered within service_level_s seconds ÷ calls.
-- column avg_wait_s: mean seconds an answered call waited before the answer.
-- column avg_talk_s: mean seconds of conversation of an answered call.
-- column calls_per_workday: calls ÷ workdays, one decimal.
-- column baseline_calls: the monthly baseline scaled to the working days inside the data
--   (whole switchboard only).
-- column baseline_calls_full_week: the monthly baseline scaled to the working days of the whole week.
-- column calls_prev_year: calls of the same ISO week a year earlier, same weekdays when this week is
--   incomplete; NULL for week 53 or when that week lies outside the data.
-- column answered_prev_year: answered calls of the same days a year earlier.
-- column workdays_prev_year: working days of the same days a year earlier.
-- column calls_per_workday_prev_year: calls_prev_year ÷ workdays_prev_year.
-- column calls_yoy_pct: change in per cent from calls_prev_year to calls; NULL when there is no prior value.
-- column calls_per_workday_yoy_pct: change in per cent of calls per working day against a year earlier.
-- columns as in: base_days
create or replace view base_weeks as
with weeks as (
    select
        organisation,
        iso_year,
        iso_week,
        min(date) as week_start,
        max(date) as week_end,
        max(date) filter (where is_covered) as through_date,
        count(*) filter (where is_covered) as days_covered,
        min(weekday) filter (where is_covered) as first_weekday,
        max(weekday) filter (where is_covered) as last_weekday,
        sum(day_fraction) as workdays_in_week,
        sum(day_fraction) filter (where is_covered) as workdays,
        sum(calls) as calls,
        sum(answered) as answered,
        sum(abandoned) as abandoned,
        sum(short_abandons) as short_abandons,
        sum(after_hours) as after_hours,
        sum(answered_within_sl) as answered_within_sl,
        sum(wait_answered_s_sum) as wait_answered_s_sum,
        sum(talk_s_sum) as talk_s_sum,
        sum(day_baseline) filter (where is_covered) as baseline_calls,
        sum(day_baseline) as baseline_calls_full_week
    from base_days
    group by organisation, iso_year, iso_week
    having count(*) filter (where is_covered) > 0
),

prior as (
    select
        w.organisation,
        w.iso_year,
        w.iso_week,
        case when bool_and(d.is_covered) then sum(d.calls) end as calls_prev_year,
        case when bool_and(d.is_covered) then sum(d.answered) end as answered_prev_year,
        sum(d.day_fraction) as workdays_prev_year
    from weeks as w
    inner join base_days as d
        on d.organisation = w.organisation
        and d.iso_year = w.iso_year - 1
        and d.iso_week = w.iso_week
        and d.weekday between w.first_weekday and w.last_weekday
    group by w.organisation, w.iso_year, w.iso_week
),

final as (
    select
        w.organisation,
        w.iso_year,
        w.iso_week,
        w.week_start,
        w.week_end,
        w.through_date,
        w.days_covered,
        w.days_covered = 7 as is_complete,
        w.days_covered < 7 or w.workdays_in_week < 5 as is_partial,
        w.workdays,
        w.workdays_in_week,
        cast(w.calls as bigint) as calls,
        cast(w.answered as bigint) as answered,
        cast(w.abandoned as bigint) as abandoned,
        cast(w.short_abandons as bigint) as short_abandons,
        cast(w.after_hours as bigint) as after_hours,
        share_of(w.answered, w.calls) as answer_rate,
        share_of(w.answered_within_sl, w.calls) as service_level,
        average_of(w.wait_answered_s_sum, w.answered) as avg_wait_s,
        average_of(w.talk_s_sum, w.answered) as avg_talk_s,
        average_of(w.calls, w.workdays) as calls_per_workday,
        round(w.baseline_calls, 1) as baseline_calls,
        round(w.baseline_calls_full_week, 1) as baseline_calls_full_week,
        cast(p.calls_prev_year as bigint) as calls_prev_year,
        cast(p.answered_prev_year as bigint) as answered_prev_year,
        p.workdays_prev_year,
        average_of(p.calls_prev_year, p.workdays_prev_year) as calls_per_workday_prev_year,
        yoy_pct(w.calls, p.calls_prev_year) as calls_yoy_pct,
        yoy_pct(per_unit(w.calls, w.workdays), per_unit(p.calls_prev_year, p.workdays_prev_year))
            as calls_per_workday_yoy_pct
    from weeks as w
    left join prior as p using (organisation, iso_year, iso_week)
)

select * from final
