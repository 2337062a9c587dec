-- Step 5, group: one row per call. Within a call the records are in the order
-- sequence, start, line (the polars merge's sort), which decides the `first` values: `leg_order`,
-- one struct compared field by field (arg_min over it is much cheaper than ordered aggregates).
create or replace temp table cdr_calls as
with legs as (
    select
        *,
        cdr_key(linkedid, uniqueid, channel, "start", line_no, $has_linkedid, $has_uniqueid) as key,
        {'seq': coalesce(seq_i, 9223372036854775807), 'start': start_dt, 'line': line_no} as leg_order,
        coalesce(regexp_matches(dstchannel, $voicemail_channel), false) as vm_channel,
        app in ('dial', 'queue', 'followme', 'retrydial', 'stasis')
            and dstchannel is not null
            and not regexp_matches(dstchannel, $software_channel)
            and not coalesce(regexp_matches(dstchannel, $voicemail_channel), false)
            and disp = 'ANSWERED'
            and billsec_i > 0 as person,
        coalesce(
            app = 'queue'
            and dstchannel is null
            and try_cast(split_part(lastdata, ',', 5) as bigint) > 0
            and duration_i >= try_cast(split_part(lastdata, ',', 5) as bigint),
            false
        ) as timed_out
    from cdr_typed
    where cdr_kept_leg(start_dt, channel, $drop_local_halves)
)
select
    key,
    min(line_no) as line_no,
    count(*) as n,
    min(start_dt) as started,
    max(end_dt) as ended,
    min(answer_dt) filter (where person) as answered,
    -- The person's first answer; a missing answer time sorts first, as in the polars merge.
    arg_min_null(
        billsec_i, {'answer': coalesce(answer_dt, timestamp '-infinity'), 'leg': leg_order}
    ) filter (where person) as talk,
    bool_or(app = 'voicemail' or vm_channel) as voicemail,
    bool_or(timed_out) as timeout,
    bool_or(disp = 'BUSY') as busy,
    bool_or(disp in ('FAILED', 'CONGESTION')) as failed,
    bool_or(app in ('dial', 'queue', 'followme', 'retrydial')) as dialled,
    bool_or(app in ('playback', 'hangup') and disp = 'ANSWERED') as announced,
    bool_or(disp not in ('ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'CONGESTION')) as unknown,
    split_part(arg_min_null(lastdata, leg_order) filter (where app = 'queue'), ',', 1) as queue,
    arg_min_null({'dst': dst, 'dcontext': dcontext, 'channel': channel, 'src': src}, leg_order) as first_leg
from legs
group by key;

-- The first leg's fields as columns. The arriving channel loses its per-call counter:
-- 'PJSIP/telia-0000001a' → 'PJSIP/telia'.
create or replace temp table cdr_calls as
select
    * exclude (first_leg),
    first_leg.dst as dst,
    first_leg.dcontext as dcontext,
    regexp_replace(first_leg.channel, '-[0-9a-fA-F]+(;\d+)?$', '') as channel_prefix,
    first_leg.src as caller
from cdr_calls;

drop view cdr_typed;
