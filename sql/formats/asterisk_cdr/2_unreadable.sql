-- Step 2, reject unreadable: a record without a readable start time cannot be placed in time.
-- The raw text is rebuilt from the fields (the rejected row shows what was read).
select
    t.line_no,
    concat_ws(',', r.accountcode, r.src, r.dst, r.dcontext, r.clid, r.channel, r.dstchannel,
        r.lastapp, r.lastdata, r."start", r.answer, r."end", r.duration, r.billsec, r.disposition,
        r.amaflags) as raw
from cdr_typed as t
join cdr_records as r using (line_no)
where t.start_dt is null
order by t.line_no;
