-- Files whose latest attempt failed and whose content never loaded: path, since, reason.
-- (A file replaced by a good export under the same name is no longer failing.)
with latest as (
    select path, arg_max(status, file_id) as status from ingested_files group by path
)
select
    f.path,
    cast(min(f.started_at at time zone $site_tz) as date) as since,
    arg_max(f.message, f.file_id) as message
from ingested_files as f
join latest as l on l.path = f.path and l.status = 'failed'
where f.status = 'failed'
  and not exists (select 1 from ingested_files as ok where ok.sha256 = f.sha256 and ok.status = 'loaded')
group by f.path
order by since, f.path
