-- Step 6, switchboard filter: calls that arrived in another context or on another number, when the
-- site named its contexts or numbers. Counted by reason (records, not calls), then left out.
create or replace temp macro cdr_number(raw) as (
    case
        when starts_with(regexp_replace(raw, '\D', '', 'g'), '0046')
            then '0' || substr(regexp_replace(raw, '\D', '', 'g'), 5)
        when starts_with(trim(raw), '+46') then '0' || substr(regexp_replace(raw, '\D', '', 'g'), 3)
        else regexp_replace(raw, '\D', '', 'g')
    end
);

create or replace temp table cdr_kept as
select
    *,
    (not $by_context or coalesce(list_contains(cast($contexts as varchar[]), dcontext), false))
    and (not $by_number or coalesce(list_contains(cast($numbers as varchar[]), cdr_number(dst)), false))
        as keep
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
