-- calls_by_month: the whole switchboard per calendar month (the board's view).
-- layer: 3
-- Grain: year × month. Edge cases as in base_months: an incomplete month is marked
-- (is_complete = false, through_date) and compared like for like; projected_calls only then.
-- columns as in: base_months
create or replace view calls_by_month as
select * exclude (organisation)
from base_months
where organisation = '(alla)'
order by year, month
