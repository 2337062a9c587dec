-- A file small enough for one partition: every record in file order.
select * exclude (part_hash)
from partition_records
order by line_no
