-- callers_by_day: callers, not calls, per day and scope (an organisation or '(alla)').
-- layer: 1
-- Grain: date × scope, for days with calls. Built from caller_day_facts (pseudonyms only, computed
-- at ingest, kept after a purge); nothing here leads back to a number.
-- Columns:
-- - callers: distinct callers with a pseudonym; repeat_callers: of those, more than one call that day;
-- - reached_callers / reached_share: callers with at least one call answered by a person that day;
-- - gave_up_callers: callers with an abandoned call that day; of those, through_within_hour (answered
--   within an hour of the start of their first abandoned call), through_same_day (answered later the
--   same date), through_by_next_workday (answered by the end of the next working day) and
--   never_through (not answered by then). A caller who hung up twice and then got through counts once;
-- - resolved_callers / resolution_rate: answered callers who did not call again within two working
--   days (a first-contact resolution proxy);
-- - anonymous_*: calls without a pseudonym (withheld numbers), counted as calls, never as one caller;
-- - is_final: false while the follow-up window (two working days) reaches past data_through; until
--   then never_through and resolved_callers may still change.
create or replace view callers_by_day as
select
    f.date,
    f.organisation,
    c.iso_year,
    c.iso_week,
    c.weekday,
    c.day_type,
    f.callers,
    f.repeat_callers,
    f.reached_callers,
    share_of(f.reached_callers, f.callers) as reached_share,
    f.gave_up_callers,
    f.through_within_hour,
    f.through_same_day,
    f.through_by_next_workday,
    f.gave_up_callers - f.through_by_next_workday as never_through,
    f.resolved_callers,
    share_of(f.resolved_callers, f.reached_callers) as resolution_rate,
    f.anonymous_calls,
    f.anonymous_answered,
    f.anonymous_abandoned,
    f.second_workday <= (select cast(value as date) from settings where name = 'data_through') as is_final
from caller_day_facts as f
inner join calendar as c on c.date = f.date
order by f.date, f.organisation
