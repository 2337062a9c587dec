-- One partition's records in file order.
select * exclude (part, part_seq)
from partition_sorted
where part = $part
order by part_seq
