-- A file with the same content (sha256) already loaded: its path. Parameters: $sha.
select path from ingested_files where sha256 = $sha and status = 'loaded' limit 1
