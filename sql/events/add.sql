-- One new event; ids are never reused while the event with the highest id stays.
insert into events
select coalesce(max(id), 0) + 1, $first_date, $last_date, $organisation, $kind, $text, current_timestamp
from events
returning id
