-- Data-health findings of the snapshot (computed at ingest), for the banners and chart marks.
select kind, severity, first_date, last_date, detail
from data_health
order by first_date, kind
