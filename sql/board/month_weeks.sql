-- The weeks of one month for one scope, split weeks cut at the month's edges (base_month_weeks).
select * exclude (organisation)
from base_month_weeks
where organisation = $scope and year = $year and month = $month
order by first_date
