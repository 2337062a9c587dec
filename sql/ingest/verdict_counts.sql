-- How many staged records were accepted and how many the normalising SQL rejected.
select
    count(*) filter (where verdict = 'ok') as ok,
    count(*) filter (where verdict = 'rejected') as rejected
from normalised
