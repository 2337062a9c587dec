-- A file whose exact content (sha256) failed before, read with the same --format, and was never
-- loaded: the local date of its first failure and the reason of its latest.
-- Parameters: $sha, $format, $site_tz.
select
    cast(min(started_at at time zone $site_tz) as date) as failing_since,
    arg_max(message, started_at) as last_message
from ingested_files
where sha256 = $sha
  and status = 'failed'
  and format = $format
