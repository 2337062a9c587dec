-- A staged table (a polars adapter's rows, or an adapter that staged in DuckDB), once both reads
-- of it are done: judged_summary.sql and insert_calls.sql.
drop table staged
