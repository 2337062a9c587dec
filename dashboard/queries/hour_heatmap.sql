-- hour_heatmap: calls by weekday × hour over a chosen span of dates, for staffing.
-- Grain: weekday (1 = Monday … 7 = Sunday) × hour (0–23), every combination of the span's weekdays.
-- Params: $first, $last (dates), $org ('' = whole switchboard).
-- Edge cases: calls_per_day divides by the number of such weekdays in the span, holidays included,
-- so a span with a holiday Monday shows a lower Monday average, as staffing would see it.
with days as (
    select weekday, count(*) as days
    from calendar
    where date between $first and $last
    group by weekday
),

counts as (
    select weekday, hour, sum(calls) as calls
    from calls_by_date_hour
    where date between $first and $last and ($org = '' or organisation = $org)
    group by weekday, hour
),

grid as (
    select d.weekday, d.days, cast(h.range as integer) as hour
    from days as d
    cross join range(24) as h
),

final as (
    select
        g.weekday,
        g.hour,
        g.days,
        cast(coalesce(c.calls, 0) as bigint) as calls,
        round(coalesce(c.calls, 0) / g.days, 2) as calls_per_day
    from grid as g
    left join counts as c using (weekday, hour)
)

select * from final
order by weekday, hour
