-- How many staged records were accepted and how many the normalising SQL rejected.
select
    coalesce(sum(records) filter (where verdict = 'ok'), 0) as ok,
    coalesce(sum(records) filter (where verdict = 'rejected'), 0) as rejected
from judged_summary
