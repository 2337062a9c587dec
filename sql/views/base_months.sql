-- base_months: calendar months per scope with working days, completeness and like-for-like prior year.
-- layer: 2
-- Grain: scope (organisation or '(alla)') × year × month, for months with at least one day of data.
-- Edge cases:
-- - an incomplete month (data ends inside it: "t.o.m. 21 feb") has is_complete = false; its
--   calls_prev_year_same_days covers the same days of the month a year earlier (1–21 Feb 2016 for
--   1–21 Feb 2017) and calls_yoy_pct uses that; a complete month compares with the whole prior month
--   (so February 2017 against all of February 2016, 29 February included);
-- - projected_calls extends an incomplete month by its calls per working day to the month's working days;
-- - prior-year columns are NULL when the prior period lies (partly) outside the data.
-- column month_start: the first day of the month.
-- column month_end: the last day of the month.
-- column through_date: the last day of the month inside the data ("t.o.m. 21 feb").
-- column days_covered: calendar days of the month inside the data.
-- column is_complete: every day of the month lies inside the data.
-- column workdays: working days of the month inside the data (half days count 0.5).
-- column workdays_in_month: working days of the whole month.
-- column calls: offered calls in the month, one per call however many legs the telephony system logged.
-- column answered: calls in the month answered by a person.
-- column abandoned: calls in the month where the caller hung up before an answer.
-- column baseline_calls: the monthly baseline scaled to the working days inside the data
--   (whole switchboard only).
-- column baseline_calls_full_month: the monthly baseline scaled to the working days of the whole month.
-- column projected_calls: an incomplete month extended by its calls per working day to all its
--   working days; NULL for a complete month.
-- column calls_prev_year: calls of the whole same month a year earlier; NULL outside the data.
-- column calls_prev_year_same_days: calls of the same days of the month a year earlier (1–21 Feb for
--   a month through 21 Feb).
-- column workdays_prev_year: working days of the prior-year period compared (whole month, or the same days).
-- column calls_per_workday_prev_year: the compared prior-year calls ÷ workdays_prev_year.
-- column calls_yoy_pct: change in per cent against a year earlier, like for like (the same days when
--   the month is incomplete); NULL when there is no prior value.
-- column calls_per_workday_yoy_pct: change in per cent of calls per working day against a year earlier,
--   like for like.
-- columns as in: base_weeks, base_days
create or replace view base_months as
with months as (
    select
        organisation,
        year,
        month,
        min(date) as month_start,
        max(date) as month_end,
        max(date) filter (where is_covered) as through_date,
        count(*) filter (where is_covered) as days_covered,
        count(*) as days_in_month,
        min(day_of_month) filter (where is_covered) as first_day,
        max(day_of_month) filter (where is_covered) as last_day,
        sum(day_fraction) as workdays_in_month,
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
        sum(day_baseline) as baseline_calls_full_month
    from base_days
    group by organisation, year, month
    having count(*) filter (where is_covered) > 0
),

prior as (
    select
        m.organisation,
        m.year,
        m.month,
        case when bool_and(d.is_covered) then sum(d.calls) end as calls_prev_year,
        case when bool_and(d.is_covered) then sum(d.day_fraction) end as workdays_prev_year_full,
        case when bool_and(d.is_covered) filter (where d.day_of_month between m.first_day and m.last_day)
            then sum(d.calls) filter (where d.day_of_month between m.first_day and m.last_day)
        end as calls_prev_year_same_days,
        sum(d.day_fraction) filter (where d.day_of_month between m.first_day and m.last_day)
            as workdays_prev_year_same_days
    from months as m
    inner join base_days as d
        on d.organisation = m.organisation
        and d.year = m.year - 1
        and d.month = m.month
    group by m.organisation, m.year, m.month
),

compared as (
    select
        m.*,
        m.days_covered = m.days_in_month as is_complete,
        p.calls_prev_year,
        p.calls_prev_year_same_days,
        case when m.days_covered = m.days_in_month then p.calls_prev_year else p.calls_prev_year_same_days end
            as calls_prev_year_compared,
        case when m.days_covered = m.days_in_month then p.workdays_prev_year_full
            else p.workdays_prev_year_same_days end as workdays_prev_year
    from months as m
    left join prior as p using (organisation, year, month)
),

final as (
    select
        organisation,
        year,
        month,
        month_start,
        month_end,
        through_date,
        days_covered,
        is_complete,
        workdays,
        workdays_in_month,
        cast(calls as bigint) as calls,
        cast(answered as bigint) as answered,
        cast(abandoned as bigint) as abandoned,
        cast(short_abandons as bigint) as short_abandons,
        cast(after_hours as bigint) as after_hours,
        share_of(answered, calls) as answer_rate,
        share_of(answered_within_sl, calls) as service_level,
        average_of(wait_answered_s_sum, answered) as avg_wait_s,
        average_of(talk_s_sum, answered) as avg_talk_s,
        average_of(calls, workdays) as calls_per_workday,
        round(baseline_calls, 1) as baseline_calls,
        round(baseline_calls_full_month, 1) as baseline_calls_full_month,
        case when not is_complete then round(per_unit(calls, workdays) * workdays_in_month, 0) end
            as projected_calls,
        cast(calls_prev_year as bigint) as calls_prev_year,
        cast(calls_prev_year_same_days as bigint) as calls_prev_year_same_days,
        workdays_prev_year,
        average_of(calls_prev_year_compared, workdays_prev_year) as calls_per_workday_prev_year,
        yoy_pct(calls, calls_prev_year_compared)
            as calls_yoy_pct,
        yoy_pct(per_unit(calls, workdays), per_unit(calls_prev_year_compared, workdays_prev_year))
            as calls_per_workday_yoy_pct
    from compared
)

select * from final
