-- callers_by_day: callers, not calls, per day and scope (an organisation or '(alla)').
-- layer: 1
-- Grain: date × scope, for days with calls. Built from caller_day_facts (pseudonyms only, computed
-- at ingest, kept after a purge); nothing here leads back to a number.
-- Edge cases: a caller who hung up twice and then got through counts once; is_final marks days whose
-- follow-up window is still open.
-- column callers: distinct callers with a pseudonym that day.
-- column repeat_callers: of those, callers with more than one call that day.
-- column reached_callers: callers with at least one call answered by a person that day.
-- column reached_share: reached_callers ÷ callers, four decimals.
-- column gave_up_callers: callers with an abandoned call that day.
-- column through_within_hour: of those, answered within an hour of the start of their first abandoned call.
-- column through_same_day: of those, answered later the same date.
-- column through_by_next_workday: of those, answered by the end of the next working day.
-- column never_through: of those, not answered by the end of the next working day.
-- column resolved_callers: answered callers who did not call again within two working days
--   (a first-contact resolution proxy).
-- column resolution_rate: resolved_callers ÷ reached_callers, four decimals.
-- column anonymous_calls: calls without a pseudonym (withheld numbers), never counted as callers.
-- column anonymous_answered: of those, answered by a person.
-- column anonymous_abandoned: of those, abandoned.
-- column is_final: false while the two-working-day follow-up window reaches past data_through (never_through
--   and resolved_callers may still change).
-- columns as in: base_days
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
