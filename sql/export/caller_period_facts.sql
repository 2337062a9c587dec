-- caller_period_facts for the Parquet export: the table as stored, one partition per year of the
-- period's start (a few hundred rows a year). Columns named part_* are the partition keys.
select
    *,
    year(period_start) as part_year
from caller_period_facts
