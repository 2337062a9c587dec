-- The latest ingest that published (callstats status). Times in the site's zone ($site_tz).
select
    strftime(finished_at at time zone $site_tz, '%Y-%m-%d %H:%M') as finished,
    cast(finished_at at time zone 'UTC' as timestamp) as finished_utc,
    files, loaded_files, already_loaded, still_failing, failed, calls_loaded, rejected
from ingest_runs
order by finished_at desc
limit 1
