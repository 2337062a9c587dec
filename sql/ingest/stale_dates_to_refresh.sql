-- Every stale date, as the dates the facts refresh recounts (temp `touched_dates`); the count says
-- whether there is anything to do. Never a date before a purge: its call rows are gone and its facts
-- are the only record (a purge recounts the stale dates before it deletes calls, so none is left).
create or replace temp table touched_dates as
select date from stale_fact_dates
where date >= coalesce(
    (select cast(value as date) from settings where name = 'purged_before'), date '0001-01-01'
);

select count(*) from touched_dates
