-- Data-health findings that touch the days $first..$last (reports and the dashboard).
select kind, severity, first_date, last_date, source_system, detail
from data_health
where first_date <= $last and last_date >= $first
order by first_date, kind
