-- What the loaded file looked like (source, format, column count, dates of its accepted calls), so
-- that a later export whose layout changed can be noticed. Reads temp `judged_summary`.
insert into file_profile
select $file_id, $source, $format, $columns, min(local_date), max(local_date)
from judged_summary
where verdict = 'ok'
