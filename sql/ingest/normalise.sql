-- Canonical text rows (temp table `staged`) → typed rows with one verdict each (temp `normalised`).
-- Grain: one row per staged record. verdict: 'ok', 'rejected' or 'filtered', with a reason.
-- Edge cases: naive timestamps are local time in $source_tz; a naive time that does not exist in
-- that zone (the hour skipped when clocks go forward) is rejected, never shifted; an ambiguous one
-- (the repeated hour in October) takes the first occurrence. Nonsense is rejected, never corrected.
create or replace temp table normalised as
with parsed as (
    select
        s.*,
        nullif(trim(s.call_id), '') as id,
        lower(trim(s.outcome)) as outcome_norm,
        case
            when regexp_matches(trim(s.started_at), '(Z|[+-]\d\d(:?\d\d)?)$')
                then try_cast(trim(s.started_at) as timestamptz)
            else timezone($source_tz, try_cast(trim(s.started_at) as timestamp))
        end as started_ts,
        regexp_matches(trim(s.started_at), '(Z|[+-]\d\d(:?\d\d)?)$') as started_has_offset,
        case
            when nullif(trim(s.answered_at), '') is null then null
            when regexp_matches(trim(s.answered_at), '(Z|[+-]\d\d(:?\d\d)?)$')
                then try_cast(trim(s.answered_at) as timestamptz)
            else timezone($source_tz, try_cast(trim(s.answered_at) as timestamp))
        end as answered_ts,
        case
            when nullif(trim(s.ended_at), '') is null then null
            when regexp_matches(trim(s.ended_at), '(Z|[+-]\d\d(:?\d\d)?)$')
                then try_cast(trim(s.ended_at) as timestamptz)
            else timezone($source_tz, try_cast(trim(s.ended_at) as timestamp))
        end as ended_ts,
        try_cast(replace(nullif(trim(s.wait_s), ''), ',', '.') as double) as wait_num,
        try_cast(replace(nullif(trim(s.talk_s), ''), ',', '.') as double) as talk_num,
        digits_national(s.dialled_number) as dialled_norm,
        nullif(trim(s.organisation), '') as organisation_given,
        nullif(trim(s.queue), '') as queue_norm,
        digits_national(s.caller) as caller_norm
    from staged as s
),

judged as (
    select
        p.*,
        case
            when p.id is null then 'missing call_id'
            when nullif(trim(p.started_at), '') is null then 'missing started_at'
            when p.started_ts is null then 'started_at ''' || trim(p.started_at) || ''' is not an ISO 8601 timestamp'
            when not p.started_has_offset
                and timezone($source_tz, p.started_ts) <> try_cast(trim(p.started_at) as timestamp)
                then 'started_at ''' || trim(p.started_at) || ''' does not exist in ' || $source_tz
                    || ' (clocks went forward)'
            when p.started_ts < timestamptz '2000-01-01 00:00:00+00'
                then 'started_at ''' || trim(p.started_at) || ''' is before the year 2000'
            when p.started_ts > $now_utc + interval 1 day
                then 'started_at ''' || trim(p.started_at) || ''' is in the future'
            when p.outcome_norm is null or p.outcome_norm = '' then 'missing outcome'
            when p.outcome_norm not in
                ('answered', 'abandoned', 'busy', 'failed', 'voicemail', 'timeout', 'closed', 'unknown')
                then 'unknown outcome ''' || trim(p.outcome) || ''''
            when nullif(trim(p.answered_at), '') is not null and p.answered_ts is null
                then 'answered_at ''' || trim(p.answered_at) || ''' is not an ISO 8601 timestamp'
            when nullif(trim(p.ended_at), '') is not null and p.ended_ts is null
                then 'ended_at ''' || trim(p.ended_at) || ''' is not an ISO 8601 timestamp'
            when p.ended_ts < p.started_ts then 'ended_at is before started_at'
            when p.answered_ts < p.started_ts then 'answered_at is before started_at'
            when nullif(trim(p.wait_s), '') is not null and p.wait_num is null
                then 'wait_s ''' || trim(p.wait_s) || ''' is not a number of seconds'
            when nullif(trim(p.talk_s), '') is not null and p.talk_num is null
                then 'talk_s ''' || trim(p.talk_s) || ''' is not a number of seconds'
            when p.wait_num < 0 or p.talk_num < 0 then 'negative duration'
            when p.wait_num > 86400 or p.talk_num > 86400 then 'duration longer than a day'
        end as reject_reason
    from parsed as p
),

located as (
    select
        j.*,
        cast(timezone($site_tz, j.started_ts) as date) as local_date,
        cast(timezone($site_tz, j.started_ts) as time) as local_time,
        hour(timezone($site_tz, j.started_ts)) as local_hour,
        coalesce(j.organisation_given, (
            select n.organisation
            from switchboard_numbers as n
            where n.number = j.dialled_norm
                and (n.valid_from is null or n.valid_from <= cast(timezone($site_tz, j.started_ts) as date))
                and (n.valid_to is null or n.valid_to >= cast(timezone($site_tz, j.started_ts) as date))
            limit 1
        )) as organisation_found
    from judged as j
),

final as (
    select
        l.*,
        case
            when l.reject_reason is not null then 'rejected'
            when $purged_before is not null and l.local_date < cast($purged_before as date) then 'filtered'
            when l.organisation_found is null and l.dialled_norm is not null then 'filtered'
            else 'ok'
        end as verdict,
        case
            when l.reject_reason is not null then l.reject_reason
            when $purged_before is not null and l.local_date < cast($purged_before as date)
                then 'before the retention limit (call rows before ' || $purged_before || ' were purged)'
            when l.organisation_found is null and l.dialled_norm is not null
                then 'not a switchboard number'
        end as reason
    from located as l
)

select * from final
