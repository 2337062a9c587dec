-- Step 3, key: which call each readable record belongs to. linkedid when logged (uniqueid for a
-- record without one); else uniqueid, where `Local/…;2` half-channels cannot be tied to their call
-- and are filtered (counted first); else channel + start, one call per record.
select count(*) as half_legs
from cdr_typed
where start_dt is not null and $drop_local_halves and starts_with(channel, 'Local/');

create or replace temp table cdr_keyed as
select
    *,
    coalesce(
        case
            when $has_linkedid then coalesce(linkedid, uniqueid)
            when $has_uniqueid then uniqueid
            else channel || '@' || "start"
        end,
        'line-' || line_no
    ) as key
from cdr_typed
where start_dt is not null
    and not ($drop_local_halves and coalesce(starts_with(channel, 'Local/'), false));

drop table cdr_typed;
