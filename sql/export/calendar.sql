-- calendar for the Parquet export: one unpartitioned file. Opening hours travel as text
-- ('08:00:00'): Spark has no time-of-day type to read Parquet TIME into.
select
    * replace (
        cast(opens_at as varchar) as opens_at,
        cast(closes_at as varchar) as closes_at
    )
from calendar
