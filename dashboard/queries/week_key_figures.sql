-- week_key_figures: the key figures of one ISO week and of the same ISO week a year earlier.
-- Grain: one row per period, 'current' and 'previous'.
-- Params: $iso_year, $iso_week, $org ('' = the whole switchboard).
-- Edge cases: an incomplete week (the data ends inside it) is compared like for like, with the same
-- weekdays of the previous year's week; week 53, or a previous week (partly) outside the data, gives
-- no 'previous' row rather than zeros.
with scope as (
    select case when $org = '' then '(alla)' else $org end as organisation
),

current_days as (
    select d.*
    from base_days as d
    inner join scope using (organisation)
    where d.iso_year = $iso_year and d.iso_week = $iso_week and d.is_covered
),

previous_days as (
    select d.*
    from base_days as d
    inner join scope using (organisation)
    where d.iso_year = $iso_year - 1
        and d.iso_week = $iso_week
        and d.weekday in (select weekday from current_days)
),

periods as (
    select 'current' as period, * from current_days
    union all by name
    select 'previous' as period, * from previous_days
),

final as (
    select
        period,
        count(*) as days,
        bool_and(is_covered) as is_covered,
        min(date) as first_date,
        max(date) as last_date,
        sum(day_fraction) as workdays,
        cast(sum(calls) as bigint) as calls,
        cast(sum(answered) as bigint) as answered,
        cast(sum(after_hours) as bigint) as after_hours,
        round(sum(answered) / nullif(sum(calls), 0), 4) as answer_rate,
        round(sum(answered_within_sl) / nullif(sum(calls), 0), 4) as service_level,
        round(sum(wait_answered_s_sum) / nullif(sum(answered), 0), 1) as avg_wait_s
    from periods
    group by period
)

select * from final
where period = 'current' or is_covered
order by period
