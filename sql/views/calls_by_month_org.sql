-- calls_by_month_org: calls_by_month per organisation (baseline columns NULL).
-- layer: 3
-- Grain: organisation × year × month. Sums over organisations equal calls_by_month.
-- columns as in: base_months
create or replace view calls_by_month_org as
select *
from base_months
where organisation <> '(alla)'
order by year, month, organisation
