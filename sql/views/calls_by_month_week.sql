-- calls_by_month_week: the weeks of each month for the whole switchboard; sums to calls_by_month.
-- layer: 3
-- Grain: year × month × ISO week part (see base_month_weeks for split weeks).
-- columns as in: base_month_weeks
create or replace view calls_by_month_week as
select * exclude (organisation)
from base_month_weeks
where organisation = '(alla)'
order by year, month, first_date
