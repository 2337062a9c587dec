-- One partition's records in file order.
select * exclude (part)
from partition_sorted
where part = $part
order by line_no
