-- sv: När på dagen lägger flest uppringare på innan de får svar (vardagar)?
-- en: At what time of day do most callers hang up before an answer (weekdays)?
select
    hour,
    cast(sum(calls) as bigint) as calls,
    cast(sum(abandoned) as bigint) as abandoned,
    round(100.0 * sum(abandoned) / nullif(sum(calls), 0), 1) as abandoned_pct
from calls_by_date_hour
where weekday <= 5
group by hour
order by hour
