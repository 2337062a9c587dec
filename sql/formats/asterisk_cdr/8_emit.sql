-- Step 8, emit: the canonical text columns into `staged`. Times as UTC with an offset when the
-- file was shown to be written in UTC, naive (for --source-tz) otherwise.
create or replace temp table staged as
select
    line_no,
    key as call_id,
    strftime(started, $ts_format) as started_at,
    strftime(answered, $ts_format) as answered_at,
    strftime(ended, $ts_format) as ended_at,
    outcome,
    case
        when outcome = 'answered' then cast(cast(trunc(epoch(answered) - epoch(started)) as bigint) as varchar)
        when outcome in ('abandoned', 'timeout')
            then cast(cast(trunc(epoch(ended) - epoch(started)) as bigint) as varchar)
    end as wait_s,
    case when outcome = 'answered' then cast(talk as varchar) end as talk_s,
    case when dst in ('s', 't', 'h', 'i') then null else dst end as dialled_number,
    cast(null as varchar) as organisation,
    queue,
    caller
from cdr_outcomes;

select sum(n) - count(*) as merged from cdr_outcomes;

select 'contexts' as facet, dcontext as value, count(*) as calls
from cdr_outcomes where coalesce(dcontext, '') <> '' group by all
union all
select 'channels', channel_prefix, count(*)
from cdr_outcomes where coalesce(channel_prefix, '') <> '' group by all
order by facet, calls desc, value;

drop table cdr_outcomes;
