-- calls for the Parquet export: the rows as stored (caller_key is the keyed pseudonym), one
-- partition per organisation and calendar month of the local call date. caller_raw never leaves
-- the site's own database: a shared lake holds pseudonyms only.
select
    * exclude (caller_raw),
    organisation as part_organisation,
    year(call_date) as part_year,
    month(call_date) as part_month
from calls
