-- duckdb_round(x, scale): DuckDB's round of a double, for Spark. DuckDB rounds the exact binary
-- value half away from zero (316.95, stored as 316.94999…, rounds to 316.9); Spark's ROUND rounds
-- the double's shortest decimal text (316.95 → 317.0). The views call round() on doubles only, and
-- pipeline/spark_views.py rewrites every round(x, n) into this function.
-- How: prod = |x|·10ⁿ is exact except for its rounding error err, found without fused multiply-add
-- by Dekker's split of |x| into a 26-bit high part and the rest (10ⁿ ≤ 10⁸ splits into itself).
-- Only a product that lands exactly on .5 can round the wrong way; err < 0 then means the true
-- value lies below the half, so it rounds down.
create or replace temporary function duckdb_round(x double, scale int) returns double return
    sign(x) * case
        when abs(x) * power(10, scale) - floor(abs(x) * power(10, scale)) = 0.5
            and (
                ((134217729d * abs(x)) - ((134217729d * abs(x)) - abs(x))) * power(10, scale)
                - abs(x) * power(10, scale)
            )
            + (abs(x) - ((134217729d * abs(x)) - ((134217729d * abs(x)) - abs(x)))) * power(10, scale)
            < 0
            then floor(abs(x) * power(10, scale))
        else floor(abs(x) * power(10, scale) + 0.5d)
    end / power(10, scale)
