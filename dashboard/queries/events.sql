-- Events for the charts' markers: the whole switchboard's, and one organisation's when $org is set
-- ('' = the whole switchboard: its own events and every organisation's).
select id, first_date, last_date, organisation, kind, text
from events
where $org = '' or organisation is null or organisation = $org
order by first_date, id
