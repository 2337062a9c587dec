-- The local dates the file brought accepted calls on: the facts of these dates are recounted.
create or replace temp table touched_dates as
select distinct local_date as date from judged_summary where verdict = 'ok'
