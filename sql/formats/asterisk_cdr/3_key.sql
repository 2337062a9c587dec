-- Step 3, key: which call each readable record belongs to. linkedid when logged (uniqueid for a
-- record without one); else uniqueid, where `Local/…;2` half-channels cannot be tied to their call
-- and are filtered (counted here); else channel + start, one call per record. Macros, used by the
-- time zone and group steps (a view cannot take the layout as a parameter).
create or replace temp macro cdr_kept_leg(start_dt, channel, drop_local_halves) as (
    start_dt is not null
    and not (drop_local_halves and coalesce(starts_with(channel, 'Local/'), false))
);

create or replace temp macro cdr_key(linkedid, uniqueid, channel, start_text, line_no, has_linkedid, has_uniqueid) as (
    coalesce(
        case
            when has_linkedid then coalesce(linkedid, uniqueid)
            when has_uniqueid then uniqueid
            else channel || '@' || start_text
        end,
        'line-' || line_no
    )
);

select count(*) as half_legs
from cdr_typed
where start_dt is not null and $drop_local_halves and starts_with(channel, 'Local/');
