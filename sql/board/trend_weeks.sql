-- The board's weekly trend: the last $weeks ISO weeks that begin on or before $last, for one scope,
-- with the same weeks a year earlier (base_weeks; the current week may be incomplete).
select * exclude (organisation)
from base_weeks
where organisation = $scope and week_start <= $last
order by week_start desc
limit $weeks
