-- This file's new calls into `calls`, with the caller's pseudonym (temp `caller_keys`) and whether
-- the call arrived inside opening hours (from `calendar`, which covers every call date).
-- Dedupe key (source_system, call_id): within the file the first record (lowest line) wins; a call
-- already stored from an earlier file is a duplicate, not an update. One statement, so the accepted
-- rows are read once and never copied into another table.
insert into calls
with accepted as (
    select * from normalised where verdict = 'ok'
),

first_in_file as (
    select * from accepted
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
        k.caller_key,
        case when $store_raw_caller then t.caller_norm end as caller_raw,
        coalesce(t.local_time >= c.opens_at and t.local_time < c.closes_at, false) as is_open_hours,
        $file_id as file_id
    from new_calls as t
    left join caller_keys as k on k.caller_norm = t.caller_norm
    left join calendar as c on c.date = t.local_date
)

select * from final
