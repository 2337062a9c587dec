-- base_days: the building block of every period view (internal; analysts use the calls_by_* views).
-- layer: 1
-- Grain: one row per calendar date × scope, where scope is each organisation plus '(alla)', the
-- whole switchboard. Every date of the calendar appears, with zero calls where there were none.
-- Edge cases:
-- - is_covered says whether the date lies inside the data (first data date … data_through); counts
--   outside it are NULL rather than 0, so "no data" (a year before the log starts) never looks like
--   "no calls";
-- - day_baseline spreads the monthly baseline over working days: baseline × 12 × day_fraction ÷ the
--   working days of that calendar year, so any period's baseline is a plain sum and a whole year
--   sums to exactly 12 × baseline.
-- column date: the local calendar date (the site's time zone).
-- column organisation: the organisation the calls were made to, or '(alla)' for the whole switchboard.
-- column iso_year: the ISO 8601 year of the week (1 January 2016 belongs to ISO year 2015).
-- column iso_week: the ISO 8601 week number, 1–53 (Monday to Sunday).
-- column week_start: the Monday of the ISO week.
-- column year: the calendar year.
-- column month: the calendar month, 1–12.
-- column weekday: 1 = Monday … 7 = Sunday.
-- column day_of_month: the day of the month, 1–31.
-- column day_type: full (a working day), half (the day before a holiday, closing at noon) or closed
--   (weekend, public holiday, midsummer/Christmas/New Year's Eve, a local closed day).
-- column day_fraction: the day in working days: 1, 0.5 or 0.
-- column holiday_name: the Swedish name of the holiday or eve that makes the day closed or half, else NULL.
-- column is_covered: true when the date lies inside the data (first data date … data_through).
-- column calls: offered calls, one per call however many legs the telephony system logged; NULL
--   outside the data.
-- column answered: calls answered by a person (not an announcement or voicemail).
-- column abandoned: calls where the caller hung up before an answer (short abandons included).
-- column short_abandons: abandoned calls that waited less than short_abandon_s seconds (part of abandoned).
-- column other_outcomes: calls neither answered nor abandoned (busy, failed, voicemail, timeout,
--   closed, unknown).
-- column after_hours: calls that arrived outside the opening hours (demand the switchboard did not meet).
-- column answered_within_sl: answered calls that waited at most service_level_s seconds.
-- column wait_answered_s_sum: total seconds answered calls waited before the answer.
-- column talk_s_sum: total seconds of conversation of answered calls.
-- column day_baseline: the monthly baseline spread onto this day by its working-day fraction
--   (whole switchboard only; NULL for an organisation).
create or replace view base_days as
with bounds as (
    select
        (select min(date) from daily_facts) as first_date,
        (select cast(value as date) from settings where name = 'data_through') as data_through,
        (select cast(value as double) from settings where name = 'baseline_calls_per_month') as baseline
),

scopes as (
    select distinct organisation from daily_facts
    union all
    select '(alla)'
),

facts as (
    select * from daily_facts
    union all
    select
        date,
        '(alla)' as organisation,
        cast(sum(calls) as integer), cast(sum(answered) as integer), cast(sum(abandoned) as integer),
        cast(sum(short_abandons) as integer), cast(sum(other_outcomes) as integer),
        cast(sum(after_hours) as integer), cast(sum(answered_within_sl) as integer),
        sum(wait_answered_s_sum), sum(talk_s_sum)
    from daily_facts
    group by date
),

year_workdays as (
    select year, sum(day_fraction) as workdays_in_year from calendar group by year
),

final as (
    select
        c.date,
        s.organisation,
        c.iso_year,
        c.iso_week,
        c.week_start,
        c.year,
        c.month,
        c.weekday,
        c.day_of_month,
        c.day_type,
        c.day_fraction,
        c.holiday_name,
        c.date between b.first_date and b.data_through as is_covered,
        case when c.date between b.first_date and b.data_through then coalesce(f.calls, 0) end as calls,
        case when c.date between b.first_date and b.data_through then coalesce(f.answered, 0) end as answered,
        case when c.date between b.first_date and b.data_through then coalesce(f.abandoned, 0) end as abandoned,
        case when c.date between b.first_date and b.data_through then coalesce(f.short_abandons, 0) end
            as short_abandons,
        case when c.date between b.first_date and b.data_through then coalesce(f.other_outcomes, 0) end
            as other_outcomes,
        case when c.date between b.first_date and b.data_through then coalesce(f.after_hours, 0) end
            as after_hours,
        case when c.date between b.first_date and b.data_through then coalesce(f.answered_within_sl, 0) end
            as answered_within_sl,
        case when c.date between b.first_date and b.data_through then coalesce(f.wait_answered_s_sum, 0) end
            as wait_answered_s_sum,
        case when c.date between b.first_date and b.data_through then coalesce(f.talk_s_sum, 0) end
            as talk_s_sum,
        case when s.organisation = '(alla)'
            then b.baseline * 12 * c.day_fraction / nullif(y.workdays_in_year, 0) end as day_baseline
    from calendar as c
    cross join scopes as s
    cross join bounds as b
    inner join year_workdays as y on y.year = c.year
    left join facts as f on f.date = c.date and f.organisation = s.organisation
)

select * from final
