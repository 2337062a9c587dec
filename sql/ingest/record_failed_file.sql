-- A file that failed: its identity and the one-line reason (numbers masked). Nothing else of it
-- was kept (its transaction was rolled back).
insert into ingested_files (
    file_id, path, size_bytes, sha256, format, started_at, finished_at, status, message
) values ($file_id, $path, $size, $sha, $format, $started, now(), 'failed', $message)
