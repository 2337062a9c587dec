-- calls_by_month_week_org: calls_by_month_week per organisation.
-- layer: 3
-- Grain: organisation × year × month × ISO week part.
-- columns as in: base_month_weeks
create or replace view calls_by_month_week_org as
select *
from base_month_weeks
where organisation <> '(alla)'
order by year, month, first_date, organisation
