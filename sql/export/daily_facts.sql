-- daily_facts for the Parquet export: the table as stored, one partition per calendar month.
-- Columns named part_* are the partition keys (the year=/month= folders), not written into the files.
select
    *,
    year(date) as part_year,
    month(date) as part_month
from daily_facts
