-- Step 4, time zone evidence: the median distance between `start` and the uniqueid's epoch prefix
-- (channel creation, always UTC). Near zero: the file was written with usegmtime=yes.
select
    count(off) as n,
    median(off) as median_off
from (
    select cast(
        cast(floor(epoch(start_dt)) as bigint)
        - try_cast(regexp_extract(uniqueid, '^(\d+)\.', 1) as bigint) as double
    ) as off
    from cdr_typed
    where cdr_kept_leg(start_dt, channel, $drop_local_halves)
);
