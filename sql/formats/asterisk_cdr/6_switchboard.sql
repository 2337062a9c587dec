-- Step 6, switchboard filter: calls that arrived in another context, when the site named its
-- contexts (its numbers are the ingest's filter on dst). Counted by reason (records, not calls),
-- then left out.
create or replace temp table cdr_kept as
select
    *,
    not $by_context or coalesce(list_contains(cast($contexts as varchar[]), dcontext), false) as keep
from cdr_calls;

drop table cdr_calls;

select
    'not a switchboard call (context ' || coalesce(dcontext, 'None') || ', dst '
        || coalesce(dst, 'None') || ')' as reason,
    sum(n) as records
from cdr_kept
where not keep
group by reason
order by reason;
