-- caller_day_facts for the Parquet export: the table as stored (pseudonyms never appear in it),
-- one partition per calendar month. Columns named part_* are the partition keys.
select
    *,
    year(date) as part_year,
    month(date) as part_month
from caller_day_facts
