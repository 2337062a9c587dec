drop table if exists partition_records;
drop table if exists partition_sorted
