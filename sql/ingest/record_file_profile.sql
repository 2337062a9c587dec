-- What the loaded file looked like (source, format, column count, dates of its accepted calls), so
-- that a later export whose layout changed can be noticed. Reads temp `normalised`.
insert into file_profile
select $file_id, $source, $format, $columns, min(local_date), max(local_date)
from normalised
where verdict = 'ok'
