-- The records in partition order (each call's records share a partition, see `part_hash`), so
-- reading one partition skips the row groups of the others.
create or replace temp table partition_sorted as
select * exclude (part_hash), (part_hash % $partitions)::bigint as part
from partition_records
order by part, part_seq;
drop table partition_records
