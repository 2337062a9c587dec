-- The ratios and year-over-year changes the views compute, each written once. Stored in the
-- database (not temporary): the published file's views call them, and analysts may too.
-- Spark has no DuckDB macros: pipeline/spark_views.py expands each call into its body before
-- translating a view, so these bodies must use only what tests/test_portable_views.py allows.

-- per_unit(total, units): total ÷ units, unrounded; NULL when units is 0 or NULL
-- (calls per working day, mean wait per answered call).
create or replace macro per_unit(total, units) as total / nullif(units, 0);

-- average_of(total, units): per_unit rounded to one decimal, as the views show averages.
create or replace macro average_of(total, units) as round(per_unit(total, units), 1);

-- share_of(part, whole): part ÷ whole as a fraction with four decimals (0.9234 = 92.34 %);
-- NULL when whole is 0 or NULL (answer rate, service level, reached share).
create or replace macro share_of(part, whole) as round(per_unit(part, whole), 4);

-- yoy_pct(present, prior): the change from prior to present in per cent, one decimal; NULL when
-- prior is 0 or NULL (no comparison rather than an infinite one).
create or replace macro yoy_pct(present, prior) as round(100.0 * (present - prior) / nullif(prior, 0), 1);
