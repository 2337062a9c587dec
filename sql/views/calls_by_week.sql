-- calls_by_week: the whole switchboard per ISO week (the switchboard manager's view).
-- layer: 3
-- Grain: ISO year × ISO week. Columns and edge cases as in base_weeks: workdays (half days 0.5),
-- is_partial (short or incomplete week), is_complete (all seven days inside the data), prior year
-- like for like, baseline_calls = the monthly baseline scaled to the week's working days in the data.
-- columns as in: base_weeks, base_days
create or replace view calls_by_week as
select * exclude (organisation)
from base_weeks
where organisation = '(alla)'
order by iso_year, iso_week
