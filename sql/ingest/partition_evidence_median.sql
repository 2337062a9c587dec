-- The median of a whole-file decision's per-record evidence (e.g. Asterisk's start − uniqueid
-- seconds), over every record staged so far; null when no record has any.
select median(evidence::double) from partition_records
