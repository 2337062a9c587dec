-- One row per ingest run: how many files ended how, and the calls loaded and rows rejected.
insert into ingest_runs values (
    $started, now(), $files, $loaded, $already, $still, $failed, $calls, $rejected
)
