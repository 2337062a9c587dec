-- hourly_history: calls per date × hour between $first and $last for one scope (hours with calls only).
-- Params: $first, $last (dates), $org ('' = whole switchboard).
select date, hour, cast(sum(calls) as bigint) as calls
from hourly_facts
where date between $first and $last and ($org = '' or organisation = $org)
group by date, hour
order by date, hour
