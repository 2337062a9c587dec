-- Each source system and the local days it covers (callstats status).
select source_system, min(date) as first_date, max(date) as last_date, count(*) as days,
       sum(calls) as calls
from source_days
where calls > 0
group by source_system
order by first_date, source_system
