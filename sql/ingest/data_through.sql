-- The last date with facts: the published data runs through it.
select max(date) from daily_facts
