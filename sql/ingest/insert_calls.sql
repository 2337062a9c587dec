-- This file's new calls into `calls`, with the caller's pseudonym and whether the call arrived
-- inside opening hours (from `calendar`, which covers every call date).
-- Pseudonym: HMAC-SHA256 of the caller's number, computed row by row from the key's inner and outer
-- pads ($ipad, $opad, bound as blobs; the key itself never enters the database), first 16 hex
-- digits; equal to pipeline.pseudonym.pseudonym(). Row by row rather than per distinct caller:
-- it needs no memory and no join, which matters on files of millions of calls.
-- Dedupe key (source_system, call_id): within the file the first record (lowest line) wins; a call
-- already stored from an earlier file is a duplicate, not an update. One statement that reads the
-- file (through the `normalised` macro) and writes the accepted rows straight into `calls`: they are
-- never copied into another table.
insert into calls
with accepted as (
    select * from normalised($source_tz, $site_tz, $now_utc, $purged_before, $numbers_configured)
    where verdict = 'ok'
),

-- The window that keeps the first record of a repeated id sorts the whole file; most exports repeat
-- nothing, so it runs only when a file is known to repeat ids ($repeats_in_file: the ingest checks
-- the rows this statement inserted, and on repeats removes them and runs it again with the window).
first_in_file as (
    select * from accepted
    where not $repeats_in_file
    union all
    select * from accepted
    where $repeats_in_file
    qualify row_number() over (partition by id order by line_no) = 1
),

stored as (
    select call_id from calls where source_system = $source_system
),

new_calls as (
    select f.*
    from first_in_file as f
    anti join stored as s on s.call_id = f.id
),

final as (
    select
        t.id as call_id,
        $source_system as source_system,
        t.started_ts as started_at,
        t.local_date as call_date,
        t.local_hour as start_hour,
        t.answered_ts as answered_at,
        t.ended_ts as ended_at,
        t.wait_num as wait_s,
        t.talk_num as talk_s,
        t.outcome_norm as outcome,
        coalesce(t.organisation_found, 'Okänd') as organisation,
        t.dialled_norm as dialled_number,
        t.queue_norm as queue,
        left(sha256($opad || unhex(sha256($ipad || encode(t.caller_norm)))), 16) as caller_key,
        case when $store_raw_caller then t.caller_norm end as caller_raw,
        coalesce(t.local_time >= c.opens_at and t.local_time < c.closes_at, false) as is_open_hours,
        $file_id as file_id
    from new_calls as t
    left join calendar as c on c.date = t.local_date
)

select * from final
