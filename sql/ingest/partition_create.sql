-- The records of a file read in chunks (registered as `partition_chunk`), kept in DuckDB until every
-- chunk is in: an empty table in the chunks' shape, plus the hash that keeps one call's records together.
create or replace temp table partition_records as
select * from partition_chunk limit 0
