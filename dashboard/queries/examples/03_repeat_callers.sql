-- sv: Hur många ringer mer än en gång samma dag (per månad, via pseudonymen)?
-- en: How many callers call more than once on the same day (per month, by pseudonym)?
with per_day as (
    select call_date, caller_key, count(*) as calls
    from calls
    where caller_key is not null
    group by call_date, caller_key
)

select
    cast(date_trunc('month', call_date) as date) as month,
    count(*) as caller_days,
    count(*) filter (where calls > 1) as repeat_caller_days,
    round(100.0 * count(*) filter (where calls > 1) / count(*), 1) as repeat_pct
from per_day
group by month
order by month
