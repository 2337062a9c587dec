-- week_callers: callers, not calls, in one ISO week (from callers_by_week; pseudonyms only).
-- Grain: one row, or none for a week without calls.
-- Params: $iso_year, $iso_week, $org ('' = the whole switchboard).
select
    callers,
    repeat_callers,
    reached_callers,
    reached_share,
    gave_up_caller_days,
    through_within_hour,
    through_same_day,
    through_by_next_workday,
    never_through,
    resolved_callers,
    resolution_rate,
    anonymous_calls,
    is_final
from callers_by_week
where
    iso_year = $iso_year
    and iso_week = $iso_week
    and organisation = case when $org = '' then '(alla)' else $org end
