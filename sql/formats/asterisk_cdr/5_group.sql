-- Step 5, group: one row per call. Within a call the records are in the order
-- sequence, start, line (the polars merge's sort), which decides the `first` values.
create or replace temp table cdr_calls as
with legs as (
    select
        *,
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
    from cdr_keyed
)
select
    key,
    min(line_no) as line_no,
    count(*) as n,
    min(start_dt) as started,
    max(end_dt) as ended,
    min(answer_dt) filter (where person) as answered,
    first(billsec_i order by answer_dt nulls first, seq_i nulls last, start_dt, line_no)
        filter (where person) as talk,
    bool_or(app = 'voicemail' or vm_channel) as voicemail,
    bool_or(timed_out) as timeout,
    bool_or(disp = 'BUSY') as busy,
    bool_or(disp in ('FAILED', 'CONGESTION')) as failed,
    bool_or(app in ('dial', 'queue', 'followme', 'retrydial')) as dialled,
    bool_or(app in ('playback', 'hangup') and disp = 'ANSWERED') as announced,
    bool_or(disp not in ('ANSWERED', 'NO ANSWER', 'BUSY', 'FAILED', 'CONGESTION')) as unknown,
    split_part(
        first(lastdata order by seq_i nulls last, start_dt, line_no) filter (where app = 'queue'), ',', 1
    ) as queue,
    first(dst order by seq_i nulls last, start_dt, line_no) as dst,
    first(dcontext order by seq_i nulls last, start_dt, line_no) as dcontext,
    -- The arriving channel without its per-call counter: 'PJSIP/telia-0000001a' → 'PJSIP/telia'.
    regexp_replace(
        first(channel order by seq_i nulls last, start_dt, line_no), '-[0-9a-fA-F]+(;\d+)?$', ''
    ) as channel_prefix,
    first(src order by seq_i nulls last, start_dt, line_no) as caller
from legs
group by key;

drop table cdr_keyed;
