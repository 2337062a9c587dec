-- staffing_history: per local date × hour of the call rows between $first and $last (scope $org),
-- what Erlang C can be checked against: offered calls, answered within $service_level_s, abandoned,
-- talk time, and the most calls being talked at the same moment (a lower bound on the operators
-- present that hour: an operator who took no call is not seen). Needs call rows (before a purge).
with scoped as (
    select *
    from calls
    where call_date between $first and $last and ($org = '' or organisation = $org)
),

hours as (
    select
        call_date as date,
        start_hour as hour,
        count(*) as calls,
        count(*) filter (where outcome = 'answered' and coalesce(wait_s, 0) <= $service_level_s) as within_target,
        count(*) filter (where outcome = 'abandoned') as abandoned,
        count(*) filter (where outcome = 'answered') as answered,
        coalesce(sum(talk_s) filter (where outcome = 'answered'), 0) as talk_s_sum
    from scoped
    group by call_date, start_hour
),

talk_events as (
    select answered_at as moment, 1 as change
    from scoped
    where outcome = 'answered' and answered_at is not null and ended_at > answered_at
    union all
    select ended_at as moment, -1 as change
    from scoped
    where outcome = 'answered' and answered_at is not null and ended_at > answered_at
),

busy as (
    -- a call ending at the moment another is answered frees its operator first
    select moment, sum(change) over (order by moment, change rows between unbounded preceding and current row) as talking
    from talk_events
),

zone as (
    select value as site_tz from settings where name = 'site_tz'
),

peaks as (
    select
        cast(timezone(z.site_tz, b.moment) as date) as date,
        hour(timezone(z.site_tz, b.moment)) as hour,
        max(b.talking) as peak_talking
    from busy as b
    cross join zone as z
    group by all
)

select
    h.date,
    h.hour,
    h.calls,
    h.within_target,
    h.abandoned,
    h.answered,
    h.talk_s_sum,
    coalesce(p.peak_talking, 0) as peak_talking
from hours as h
left join peaks as p on p.date = h.date and p.hour = h.hour
order by h.date, h.hour
