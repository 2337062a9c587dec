-- Every stale date, as the dates the facts refresh recounts (temp `touched_dates`); the count says
-- whether there is anything to do.
create or replace temp table touched_dates as
select date from stale_fact_dates;

select count(*) from touched_dates
