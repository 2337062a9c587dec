-- The board's months for one scope: the whole switchboard ('(alla)') or one organisation.
-- Rows of base_months (see its header for completeness and like-for-like columns).
select * exclude (organisation)
from base_months
where organisation = $scope
order by year, month
