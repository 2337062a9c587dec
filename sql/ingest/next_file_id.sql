-- The id of the next row of ingested_files (one per file tried, loaded or failed).
select coalesce(max(file_id), 0) + 1 from ingested_files
