-- The first of the two reads of a file (the second, insert_calls.sql, streams the accepted rows into
-- `calls`): the rows set apart and the per-date counts of the accepted ones, into temp
-- `judged_summary`. Everything the ingest reports about a file besides the calls it loaded comes
-- from here: rejected rows with line and reason, filtered counts by reason, the dialled numbers of
-- calls filtered as not a switchboard number, the dates the file touches (facts, calendar, profile).
-- Grain: one row per rejected or filtered record (records = 1, with its line, reason and kept text),
-- plus one row per local date of the accepted records (line_no, reason and raw null, records = how
-- many). Rejected and filtered records are few in a real export, so this table stays small; a file
-- whose rows are all rejected makes it as long as the file, which is what it has to report anyway.
create or replace temp table judged_summary as
with keyed as (
    select
        verdict,
        case when verdict <> 'ok' then line_no end as line_no,
        case when verdict <> 'ok' then reason end as reason,
        raw,
        case when verdict <> 'ok' then dialled_norm end as dialled_norm,
        local_date
    from normalised($source_tz, $site_tz, $now_utc, $purged_before, $numbers_configured)
)

select verdict, line_no, reason, raw, dialled_norm, local_date, count(*) as records
from keyed
group by all
