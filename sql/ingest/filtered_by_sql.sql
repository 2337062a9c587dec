-- Records the normalising SQL filtered (not a switchboard number, before the retention limit), by
-- reason: one row per reason with its count.
select reason, sum(records) from judged_summary where verdict = 'filtered' group by reason
