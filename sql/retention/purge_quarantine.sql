-- Quarantined lines (rejected_rows) and filtered counts (filtered_rows) follow the retention of
-- call rows: they may hold personal data of the same calls. A rejected line has no date we can
-- trust, so its file decides: a file finished before the cutoff holds only calls older than it,
-- and a file whose loaded calls have all been purged is as old as they were.
create or replace temp table expired_files as
select f.file_id
from ingested_files as f
where cast(f.finished_at as date) < $cutoff
    or (f.loaded > 0 and not exists (select 1 from calls as c where c.file_id = f.file_id));

delete from rejected_rows where file_id in (select file_id from expired_files);

delete from filtered_rows where file_id in (select file_id from expired_files);

drop table expired_files;
