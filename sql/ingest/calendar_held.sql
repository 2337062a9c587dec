-- The dates the stored calendar covers (nulls when it is empty).
select min(date), max(date) from calendar
