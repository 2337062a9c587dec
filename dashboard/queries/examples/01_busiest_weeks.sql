-- sv: Vilka veckor 2016 hade flest samtal per arbetsdag?
-- en: Which weeks of 2016 had the most calls per working day?
select iso_year, iso_week, week_start, workdays, calls, calls_per_workday, calls_per_workday_yoy_pct
from calls_by_week
where iso_year = 2016 and is_complete
order by calls_per_workday desc
limit 10
