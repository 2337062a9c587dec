-- The ISO weeks of one ISO year for one scope, with last year's same weeks (base_weeks).
select * exclude (organisation)
from base_weeks
where organisation = $scope and iso_year = $iso_year
order by iso_week
