-- week_days: the days of one date span (a week) with their calendar and figures.
-- Grain: one row per date inside the data. Params: $first, $last (dates), $org ('' = whole switchboard).
-- Edge cases: days without calls appear with 0; closed days (weekends, holidays) are listed too, so
-- after-hours demand on a holiday is visible.
with scope as (
    select case when $org = '' then '(alla)' else $org end as organisation
),

final as (
    select
        d.date,
        d.weekday,
        d.day_type,
        d.day_fraction,
        d.holiday_name,
        d.calls,
        d.answered,
        d.abandoned,
        d.after_hours,
        round(d.answered / nullif(d.calls, 0), 4) as answer_rate,
        round(d.answered_within_sl / nullif(d.calls, 0), 4) as service_level,
        round(d.wait_answered_s_sum / nullif(d.answered, 0), 1) as avg_wait_s
    from base_days as d
    inner join scope using (organisation)
    where d.date between $first and $last and d.is_covered
)

select * from final
order by date
