-- The rows the normalising SQL rejected, with their reason. The caller column is never part of the
-- kept raw text (normalise.sql); numbers in the other fields and in the reason are masked.
insert into rejected_rows
select $file_id, line_no, callstats_mask(raw || ',…'), callstats_mask(reason)
from judged_summary
where verdict = 'rejected'
