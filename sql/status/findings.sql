-- Data-health findings, serious first, newest first (callstats status).
select kind, severity, first_date, last_date, source_system, detail
from data_health
order by severity = 'serious' desc, last_date desc, kind
