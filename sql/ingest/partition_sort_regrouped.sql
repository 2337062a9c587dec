-- The records in partition order, as partition_sort.sql, where a record listed in `partition_keys`
-- (made by the adapter's regroup step from the whole file) takes its partition hash from there.
create or replace temp table partition_sorted as
select r.* exclude (part_hash), (coalesce(k.part_hash, r.part_hash) % $partitions)::bigint as part
from partition_records as r
left join partition_keys as k on k.part_seq = r.part_seq
order by part, r.part_seq;
drop table partition_records;
drop table partition_keys
