-- Step 1, type: every Master.csv record (`cdr_records`: line_no + the 21 field names, text) with the
-- values the merge needs parsed. Rules: pipeline/formats/asterisk_cdr.py (its module docstring).

-- A timestamp in any layout an export writes (textio.DEFAULT_TS_FORMATS); NULL when none fits.
create or replace temp macro cdr_ts(t) as (
    try_strptime(trim(t), [
        '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y/%m/%d %H:%M:%S', '%Y-%m-%d %H:%M',
        '%Y/%m/%d %H:%M', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S.%f'
    ])
);

-- Seconds from text: `HH:MM:SS`, or a number with a decimal comma or point (rounded half away
-- from zero, as textio.to_int). The regular expression runs only on text with a colon.
create or replace temp macro cdr_int(t) as (
    case
        when t is null then null
        when contains(t, ':') then
            case when regexp_full_match(trim(t), '\d+:\d{1,2}:\d{1,2}') then
                cast(split_part(trim(t), ':', 1) as bigint) * 3600
                + cast(split_part(trim(t), ':', 2) as bigint) * 60
                + cast(split_part(trim(t), ':', 3) as bigint)
            end
        else try_cast(round(try_cast(replace(trim(t), ',', '.') as double)) as bigint)
    end
);

-- A view: materialising 14 columns of every record costs more than parsing them again.
create or replace temp view cdr_typed as
select
    line_no, src, dst, dcontext, channel, dstchannel, lastdata, uniqueid, linkedid,
    "start",
    cdr_ts("start") as start_dt,
    cdr_ts(answer) as answer_dt,
    cdr_ts("end") as end_dt,
    coalesce(cdr_int(billsec), 0) as billsec_i,
    coalesce(cdr_int(duration), 0) as duration_i,
    coalesce(lower(lastapp), '') as app,
    coalesce(upper(trim(disposition)), 'NO ANSWER') as disp,
    cdr_int("sequence") as seq_i
from cdr_records;
