-- The callstats adapter's lazy view over the file, once both reads of it are done:
-- judged_summary.sql and insert_calls.sql.
drop view staged
