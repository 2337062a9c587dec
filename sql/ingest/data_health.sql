-- Data health: what in the stored data looks like a hole or a mistake rather than a real dip.
-- Recomputed from the facts (not the call rows, so it survives a purge) at the end of every ingest;
-- the result goes with the snapshot and is read by `callstats status`, the dashboard and reports.
--
-- "Usual" for a day is taken from the same weekday in the eight weeks before and after it
-- (full working days only), so seasons and trends do not make ordinary days look odd.
--
-- Why these thresholds:
-- - A day is "far below" its usual volume under half of the median for its weekday. Day-to-day
--   counting noise at a few hundred calls is a few per cent, and the same weekday varies by some
--   15-25 % from week to week; under half is well outside both and is what a partial export (an
--   export cut off at midday, a lost file for one queue) looks like.
-- - An hour inside opening hours "should have calls" when that weekday-hour usually has at least 5:
--   a quiet hour with 1-2 calls usually has none now and then by chance (Poisson: P(0 | 5) < 1 %).
-- - A day is "shifted by an hour" when its hourly profile fits the usual profile moved one hour
--   later or earlier at least 40 % better than unmoved, and the unmoved fit is poor (the shares of
--   calls per hour differ by 0.25 or more in total). Needs 40 calls in the day to say anything.
delete from data_health;

create or replace temp table health_days as
with span as (select min(date) as first, max(date) as last from daily_facts where calls > 0),
per_day as (select date, sum(calls) as calls from daily_facts group by date)
select c.date, c.weekday, c.day_type, c.day_fraction, c.opens_at, c.closes_at, coalesce(d.calls, 0) as calls
from calendar as c
join span on c.date between span.first and span.last
left join per_day as d using (date)
where c.day_fraction > 0;

create or replace temp table health_usual as
select
    date,
    median(calls) filter (where day_type = 'full' and calls > 0) over (
        partition by weekday order by date
        range between interval 56 days preceding and interval 56 days following
    ) as usual_calls,
    count(*) filter (where day_type = 'full' and calls > 0) over (
        partition by weekday order by date
        range between interval 56 days preceding and interval 56 days following
    ) as usual_days
from health_days;

-- Working days without any call inside the covered span (runs of consecutive working days).
insert into data_health
with numbered as (
    select date, calls, row_number() over (order by date) as n from health_days
),
missing as (
    select date, n - row_number() over (order by date) as island from numbered where calls = 0
)
select
    'missing_day', 'serious', min(date), max(date), null,
    case when count(*) = 1 then 'no calls on working day ' || strftime(min(date), '%a %Y-%m-%d')
         else 'no calls on ' || count(*) || ' working days ' || min(date) || ' to ' || max(date) end
from missing
group by island;

-- Full working days far below the usual volume for their weekday.
insert into data_health
select
    'low_day', 'warning', d.date, d.date, null,
    strftime(d.date, '%a %Y-%m-%d') || ': ' || d.calls || ' calls, usually about '
        || cast(round(u.usual_calls) as bigint) || ' on this weekday'
from health_days as d
join health_usual as u using (date)
where d.day_type = 'full' and d.calls > 0 and u.usual_days >= 4 and d.calls < 0.5 * u.usual_calls;

-- Days whose calls sit an hour later or earlier than usual (a time-zone or DST mistake).
insert into data_health
with per_hour as (
    select h.date, h.hour, sum(h.calls) as calls
    from hourly_facts as h join health_days as d using (date)
    where d.day_type = 'full'
    group by all
),
totals as (select date, sum(calls) as total from per_hour group by date having sum(calls) >= 40),
shares as (
    select p.date, c.weekday, p.hour, p.calls / t.total as share
    from per_hour as p join totals as t using (date) join calendar as c using (date)
),
grid as (
    select t.date, c.weekday, h.hour
    from totals as t join calendar as c using (date)
    cross join (select range::integer as hour from range(24)) as h
),
day_shares as (
    select g.date, g.weekday, g.hour, coalesce(s.share, 0) as share
    from grid as g left join shares as s using (date, hour)
),
usual as (
    select weekday, hour, avg(share) as share from day_shares group by all
),
fits as (
    select
        d.date,
        sum(abs(d.share - coalesce(u0.share, 0))) as err_same,
        sum(abs(d.share - coalesce(ul.share, 0))) as err_later,
        sum(abs(d.share - coalesce(ue.share, 0))) as err_earlier
    from day_shares as d
    left join usual as u0 on u0.weekday = d.weekday and u0.hour = d.hour
    left join usual as ul on ul.weekday = d.weekday and ul.hour = d.hour - 1
    left join usual as ue on ue.weekday = d.weekday and ue.hour = d.hour + 1
    group by d.date
)
select
    'shifted_hour', 'serious', date, date, null,
    strftime(date, '%a %Y-%m-%d') || ': calls sit one hour '
        || case when err_later < err_earlier then 'later' else 'earlier' end
        || ' than usual (a time-zone or DST mistake?)'
from fits
where err_same >= 0.25 and least(err_later, err_earlier) <= 0.6 * err_same;

-- The same days covered by two or more sources: the calls are probably counted twice.
insert into data_health
with shared as (
    select date, string_agg(distinct source_system, ' and ' order by source_system) as sources
    from source_days
    where calls > 0
    group by date
    having count(distinct source_system) > 1
),
islands as (
    select *, date - cast(row_number() over (partition by sources order by date) as integer) as island
    from shared
)
select
    'overlapping_sources', 'serious', min(date), max(date), sources,
    sources || ' both have calls on ' || count(*) || ' day(s), ' || min(date) || ' to ' || max(date)
from islands
group by sources, island;

-- Hours inside opening hours without calls on days that had calls, where that hour usually has some.
create or replace temp table health_hours as
with per_hour as (select date, hour, sum(calls) as calls from hourly_facts group by all),
grid as (
    select d.date, d.weekday, d.day_type, d.calls as day_calls, h.hour, coalesce(p.calls, 0) as calls
    from health_days as d
    cross join (select range::integer as hour from range(24)) as h
    left join per_hour as p on p.date = d.date and p.hour = h.hour
    where d.calls > 0 and h.hour >= hour(d.opens_at) and h.hour < hour(d.closes_at)
)
select
    *,
    avg(calls) filter (where day_type = 'full') over (
        partition by weekday, hour order by date
        range between interval 56 days preceding and interval 56 days following
    ) as usual_calls
from grid;

insert into data_health
select
    'missing_hours', 'warning', date, date, null,
    strftime(date, '%a %Y-%m-%d') || ': no calls in hour(s) '
        || string_agg(lpad(hour::varchar, 2, '0') || ':00', ', ' order by hour)
        || ' (usually ' || string_agg(cast(round(usual_calls) as bigint)::varchar, ', ' order by hour) || ')'
from health_hours
where calls = 0 and usual_calls >= 5
  -- a shifted day has an empty first or last hour because it is shifted: named once, as shifted
  and date not in (select first_date from data_health where kind = 'shifted_hour')
group by date;

-- A file whose format or column count differs from the previous file of the same source.
insert into data_health
with ordered as (
    select
        p.*, f.path,
        lag(p.format) over (partition by p.source_system order by p.file_id) as previous_format,
        lag(p.column_count) over (partition by p.source_system order by p.file_id) as previous_columns
    from file_profile as p join ingested_files as f using (file_id)
)
select
    'format_changed', 'warning', coalesce(first_date, cast(now() as date)),
    coalesce(last_date, first_date, cast(now() as date)), source_system,
    regexp_replace(path, '^.*/', '') || ': ' || format || ' with ' || coalesce(column_count::varchar, '?')
        || ' columns, the file before was ' || previous_format || ' with '
        || coalesce(previous_columns::varchar, '?') || ' columns'
from ordered
where previous_format is not null
  and (format <> previous_format or column_count is distinct from previous_columns);
