-- Records the normalising SQL filtered (not a switchboard number, before the retention limit), by
-- reason: one row per reason with its count.
select reason, count(*) from normalised where verdict = 'filtered' group by reason
