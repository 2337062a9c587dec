-- calls_by_hour: when calls arrive, weekday × hour over all data (for staffing).
-- layer: 3
-- Grain: weekday (1 = Monday … 7 = Sunday) × hour (0–23), every combination present.
-- calls_per_day divides by the number of such weekdays inside the data, so a weekday with a
-- holiday in it still averages over all its dates (closed dates pull the average down, as they do
-- in reality).
-- column weekday: 1 = Monday … 7 = Sunday.
-- column hour: the local wall-clock hour the calls started, 0–23.
-- column calls: offered calls in this weekday and hour over all the data.
-- column answered: of those, answered by a person.
-- column abandoned: of those, the caller hung up before an answer.
-- column days: how many such weekdays lie inside the data (holidays included).
-- column calls_per_day: calls ÷ days, two decimals.
create or replace view calls_by_hour as
with covered_days as (
    select weekday, count(*) as days
    from base_days
    where organisation = '(alla)' and is_covered
    group by weekday
),

grid as (
    select d.weekday, d.days, hours.hour
    from covered_days as d
    -- the 24 hours as a literal list: portable where range() and generate_series() are not
    cross join (
        values
            (0), (1), (2), (3), (4), (5), (6), (7),
            (8), (9), (10), (11), (12), (13), (14), (15),
            (16), (17), (18), (19), (20), (21), (22), (23)
    ) as hours (hour)
),

counts as (
    select
        weekday,
        hour,
        cast(sum(calls) as bigint) as calls,
        cast(sum(answered) as bigint) as answered,
        cast(sum(abandoned) as bigint) as abandoned
    from calls_by_date_hour
    group by weekday, hour
),

final as (
    select
        g.weekday,
        g.hour,
        coalesce(c.calls, 0) as calls,
        coalesce(c.answered, 0) as answered,
        coalesce(c.abandoned, 0) as abandoned,
        g.days,
        round(coalesce(c.calls, 0) / g.days, 2) as calls_per_day
    from grid as g
    left join counts as c using (weekday, hour)
)

select * from final
order by weekday, hour
