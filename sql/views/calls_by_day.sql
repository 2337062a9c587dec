-- calls_by_day: calls per local date and organisation, with the working-day calendar.
-- layer: 2
-- Grain: date × organisation, for every date from the first data date to data_through (days
-- without calls appear with 0). Sum over organisations for the whole switchboard.
-- Edge cases: dates are local dates in the site's zone (a call at 23:30 UTC on 31 Dec is a
-- 1 January call in Sweden); on the day clocks change both the skipped and repeated hour are handled
-- at ingest. answer_rate is NULL on a day without calls.
-- column calls: offered calls on the date, one per call however many legs the telephony system logged.
-- column answer_rate: answered ÷ calls, a fraction with four decimals; NULL on a day without calls.
-- columns as in: base_weeks, base_days
create or replace view calls_by_day as
with final as (
    select
        date,
        organisation,
        iso_year,
        iso_week,
        year,
        month,
        weekday,
        day_type,
        day_fraction,
        holiday_name,
        calls,
        answered,
        abandoned,
        short_abandons,
        other_outcomes,
        after_hours,
        answered_within_sl,
        share_of(answered, calls) as answer_rate,
        average_of(wait_answered_s_sum, answered) as avg_wait_s,
        average_of(talk_s_sum, answered) as avg_talk_s
    from base_days
    where is_covered and organisation <> '(alla)'
)

select * from final
order by date, organisation
