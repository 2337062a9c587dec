-- calls_by_week_org: calls_by_week per organisation (baseline columns are NULL: the board's
-- baseline is for the whole switchboard).
-- layer: 3
-- Grain: organisation × ISO year × ISO week. Sums over organisations equal calls_by_week.
-- columns as in: base_weeks, base_days
create or replace view calls_by_week_org as
select *
from base_weeks
where organisation <> '(alla)'
order by iso_year, iso_week, organisation
