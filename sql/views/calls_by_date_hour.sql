-- calls_by_date_hour: calls per local date, hour and organisation (for staffing over a chosen span).
-- layer: 2
-- Grain: date × organisation × hour; only hours with calls appear (sparse). weekday 1 = Monday.
-- Edge cases: the local hour is the wall-clock hour; on the October change day hour 2 holds both
-- the first and the repeated 02:00–02:59.
-- column hour: the local wall-clock hour the call started, 0–23.
-- column calls: offered calls that started in the hour.
-- column answered: of those, answered by a person.
-- column abandoned: of those, the caller hung up before an answer.
-- columns as in: base_days
create or replace view calls_by_date_hour as
select
    h.date,
    h.organisation,
    c.weekday,
    c.day_type,
    h.hour,
    h.calls,
    h.answered,
    h.abandoned
from hourly_facts as h
inner join calendar as c on c.date = h.date
order by h.date, h.hour, h.organisation
