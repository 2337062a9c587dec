-- Canonical text rows (temp `staged`) → typed rows with one verdict each: the table macro
-- `normalised(source_tz, site_tz, now_utc, purged_before, numbers_configured)`.
-- Grain: one row per staged record. verdict: 'ok', 'rejected' or 'filtered', with a reason.
-- A macro, not a table: the judged rows are never stored. The ingest reads it twice: once for the
-- few rows set apart and the per-date counts (judged_summary.sql), once to stream the accepted rows
-- into `calls` (insert_calls.sql). Writing ten million judged rows to a temporary table cost more
-- than reading and judging the file twice. (A macro and not a view: a view cannot hold parameters.)
-- Edge cases: naive timestamps are local time in source_tz; a naive time that does not exist in
-- that zone (the hour skipped when clocks go forward) is rejected, never shifted; an ambiguous one
-- (the repeated hour in October) takes the first occurrence. Nonsense is rejected, never corrected.
-- Switchboard numbers: with none configured (numbers_configured false) every call counts; with some,
-- a call to a dialled number outside them is filtered (a call with no dialled number is kept).
create or replace temp macro normalised(source_tz, site_tz, now_utc, purged_before, numbers_configured) as table
with texts as (
    select
        s.*,
        trim(s.started_at) as started_text,
        nullif(trim(s.answered_at), '') as answered_text,
        nullif(trim(s.ended_at), '') as ended_text
    from staged as s
),

parsed as (
    select
        t.*,
        nullif(trim(t.call_id), '') as id,
        lower(trim(t.outcome)) as outcome_norm,
        regexp_matches(t.started_text, '(Z|[+-]\d\d(:?\d\d)?)$') as started_has_offset,
        parse_instant(t.started_text, source_tz) as started_ts,
        parse_instant(t.answered_text, source_tz) as answered_ts,
        parse_instant(t.ended_text, source_tz) as ended_ts,
        try_cast(replace(nullif(trim(t.wait_s), ''), ',', '.') as double) as wait_num,
        try_cast(replace(nullif(trim(t.talk_s), ''), ',', '.') as double) as talk_num,
        digits_national(t.dialled_number) as dialled_norm,
        nullif(trim(t.organisation), '') as organisation_given,
        nullif(trim(t.queue), '') as queue_norm,
        digits_national(t.caller) as caller_norm
    from texts as t
),

judged as (
    select
        p.*,
        case
            -- A NUL byte is corruption (a binary or half-written file), never part of a value.
            when contains(concat_ws('', p.call_id, p.started_at, p.answered_at, p.ended_at, p.outcome, p.wait_s,
                p.talk_s, p.dialled_number, p.organisation, p.queue, p.caller), chr(0))
                then 'the line contains a NUL byte'
            when p.id is null then 'missing call_id'
            when p.started_text is null or p.started_text = '' then 'missing started_at'
            when p.started_ts is null then 'started_at ''' || p.started_text || ''' is not an ISO 8601 timestamp'
            when not p.started_has_offset
                and timezone(source_tz, p.started_ts) <> try_cast(p.started_text as timestamp)
                then 'started_at ''' || p.started_text || ''' does not exist in ' || source_tz
                    || ' (clocks went forward)'
            when p.started_ts < timestamptz '2000-01-01 00:00:00+00'
                then 'started_at ''' || p.started_text || ''' is before the year 2000'
            when p.started_ts > now_utc + interval 1 day
                then 'started_at ''' || p.started_text || ''' is in the future'
            when p.outcome_norm is null or p.outcome_norm = '' then 'missing outcome'
            when p.outcome_norm not in
                ('answered', 'abandoned', 'busy', 'failed', 'voicemail', 'timeout', 'closed', 'unknown')
                then 'unknown outcome ''' || trim(p.outcome) || ''''
            when p.answered_text is not null and p.answered_ts is null
                then 'answered_at ''' || trim(p.answered_at) || ''' is not an ISO 8601 timestamp'
            when p.ended_text is not null and p.ended_ts is null
                then 'ended_at ''' || trim(p.ended_at) || ''' is not an ISO 8601 timestamp'
            when p.ended_ts < p.started_ts then 'ended_at is before started_at'
            when p.answered_ts < p.started_ts then 'answered_at is before started_at'
            -- 'NaN' parses as a double but is no duration (and compares larger than every number).
            when nullif(trim(p.wait_s), '') is not null and (p.wait_num is null or isnan(p.wait_num))
                then 'wait_s ''' || trim(p.wait_s) || ''' is not a number of seconds'
            when nullif(trim(p.talk_s), '') is not null and (p.talk_num is null or isnan(p.talk_num))
                then 'talk_s ''' || trim(p.talk_s) || ''' is not a number of seconds'
            when p.wait_num < 0 or p.talk_num < 0 then 'negative duration'
            when p.wait_num > 86400 or p.talk_num > 86400 then 'duration longer than a day'
        end as reject_reason
    from parsed as p
),

localised as (
    select j.*, timezone(site_tz, j.started_ts) as local_ts
    from judged as j
),

-- A plain join, not a correlated subquery: the settings guarantee that a number's validity periods
-- never overlap, so each call matches at most one row.
located as (
    select
        l.*,
        cast(l.local_ts as date) as local_date,
        cast(l.local_ts as time) as local_time,
        hour(l.local_ts) as local_hour,
        coalesce(l.organisation_given, n.organisation) as organisation_found
    from localised as l
    left join switchboard_numbers as n
        on n.number = l.dialled_norm
        and (n.valid_from is null or n.valid_from <= cast(l.local_ts as date))
        and (n.valid_to is null or n.valid_to >= cast(l.local_ts as date))
),

verdicts as (
    select
        l.*,
        case
            when l.reject_reason is not null then 'rejected'
            when purged_before is not null and l.local_date < cast(purged_before as date) then 'filtered'
            when numbers_configured and l.organisation_found is null and l.dialled_norm is not null
                then 'filtered'
            else 'ok'
        end as verdict,
        case
            when l.reject_reason is not null then l.reject_reason
            when purged_before is not null and l.local_date < cast(purged_before as date)
                then 'before the retention limit (call rows before ' || purged_before || ' were purged)'
            when numbers_configured and l.organisation_found is null and l.dialled_norm is not null
                then 'not a switchboard number'
        end as reason
    from located as l
),

-- Only what later steps read: the raw text is kept for rejected rows alone (the caller column is
-- never part of it).
final as (
    select
        line_no,
        id,
        verdict,
        reason,
        case when verdict = 'rejected' then concat_ws(',', call_id, started_at, answered_at, ended_at, outcome,
            wait_s, talk_s, dialled_number, organisation, queue) end as raw,
        started_ts,
        answered_ts,
        ended_ts,
        wait_num,
        talk_num,
        outcome_norm,
        organisation_found,
        dialled_norm,
        queue_norm,
        caller_norm,
        local_date,
        local_time,
        local_hour
    from verdicts
)

select * from final
