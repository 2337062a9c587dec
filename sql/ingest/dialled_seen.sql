-- The three numbers dialled most often by calls filtered as not a switchboard number: the summary
-- names them, since a site's list usually misses one of its own numbers. Parameters: $why.
select dialled_norm, sum(records) as calls
from judged_summary
where reason = $why
group by all
order by calls desc, dialled_norm
limit 3
