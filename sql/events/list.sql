-- Events that touch [$first, $last], for the whole switchboard or one organisation ($org NULL = all;
-- an organisation also sees the switchboard's own events).
select id, first_date, last_date, organisation, kind, text
from events
where last_date >= $first and first_date <= $last
    and ($org is null or organisation is null or organisation = $org)
order by first_date, id
