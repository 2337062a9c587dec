-- hourly_facts for the Parquet export: the table as stored, one partition per calendar month.
select
    *,
    year(date) as part_year,
    month(date) as part_month
from hourly_facts
