-- A file's calls, removed inside its transaction so they can be inserted again keeping each
-- repeated call id's first line (see ingest._insert_calls).
delete from calls where file_id = $file_id
