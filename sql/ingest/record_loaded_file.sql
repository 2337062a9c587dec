-- A loaded file's row: its identity and its books (rows_read = loaded + merged + duplicate +
-- rejected + filtered). $message: the file's notices, numbers masked.
insert into ingested_files values (
    $file_id, $path, $size, $sha, $format, $source,
    $read, $loaded, $merged, $duplicate, $rejected, $filtered,
    $started, now(), 'loaded', $message
)
