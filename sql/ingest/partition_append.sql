-- One chunk of records (registered as `partition_chunk`) appended; DuckDB spills under its memory limit.
insert into partition_records by name
select * from partition_chunk
