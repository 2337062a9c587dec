-- base_month_weeks: the ISO weeks of each month, each cut to the days inside the month.
-- layer: 2
-- Grain: scope × year × month × ISO week part. The parts of a month sum to the month.
-- Edge cases: a week that straddles a month boundary appears in both months (is_split), each part
-- with its own days and working days ("v. 48 (1–4 dec, 2 dagar)": its calendar days in the month,
-- then its working days); ISO week 1 can begin in December and week 52/53 end in January.
-- column first_date: the first day of the week part inside the month and the data.
-- column last_date: the last day of the week part inside the month and the data.
-- column first_workday: the first working day of the week part (NULL when it has none).
-- column last_workday: the last working day of the week part.
-- column days: calendar days of the week part inside the data.
-- column days_of_week_in_month: calendar days of the ISO week that fall in the month, 1–7.
-- column workdays: working days of the week part inside the data (half days count 0.5).
-- column calls: offered calls in the week part.
-- column answered: calls in the week part answered by a person.
-- column abandoned: calls in the week part where the caller hung up before an answer.
-- column after_hours: calls in the week part outside the opening hours.
-- column is_split: the ISO week straddles the month boundary (fewer than 7 of its days in the month).
-- column is_complete: every day of the week part lies inside the data.
-- columns as in: base_weeks, base_days
create or replace view base_month_weeks as
with parts as (
    select
        organisation,
        year,
        month,
        iso_year,
        iso_week,
        min(date) filter (where is_covered) as first_date,
        max(date) filter (where is_covered) as last_date,
        min(date) filter (where is_covered and day_fraction > 0) as first_workday,
        max(date) filter (where is_covered and day_fraction > 0) as last_workday,
        count(*) filter (where is_covered) as days,
        count(*) as days_of_week_in_month,
        sum(day_fraction) filter (where is_covered) as workdays,
        sum(calls) as calls,
        sum(answered) as answered,
        sum(abandoned) as abandoned,
        sum(after_hours) as after_hours
    from base_days
    group by organisation, year, month, iso_year, iso_week
    having count(*) filter (where is_covered) > 0
),

final as (
    select
        organisation,
        year,
        month,
        iso_year,
        iso_week,
        first_date,
        last_date,
        first_workday,
        last_workday,
        days,
        days_of_week_in_month,
        workdays,
        cast(calls as bigint) as calls,
        cast(answered as bigint) as answered,
        cast(abandoned as bigint) as abandoned,
        cast(after_hours as bigint) as after_hours,
        days_of_week_in_month < 7 as is_split,
        days = days_of_week_in_month as is_complete,
        average_of(calls, workdays) as calls_per_workday,
        share_of(answered, calls) as answer_rate
    from parts
)

select * from final
