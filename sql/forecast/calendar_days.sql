-- calendar_days: the working-day calendar between $first and $last (stored by the ingest with the
-- site's rules), with opening hours for the staffing table.
select date, weekday, day_type, opens_at, closes_at
from calendar
where date between $first and $last
order by date
