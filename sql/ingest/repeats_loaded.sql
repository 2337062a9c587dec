-- Whether the rows this file just inserted into `calls` repeat a call id (within the file: ids stored
-- before were left out by the insert). Compared on 64-bit hashes, which needs a fraction of the
-- memory of the ids themselves: a collision can only say "repeats" wrongly, and that costs a second,
-- exact insert (the first record of each id), never a wrong result.
select count(*) > count(distinct hash(call_id)) from calls where file_id = $file_id
