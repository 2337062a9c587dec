-- Each record's partition hash: its uuid's component label (its own node when it is linked to no
-- other uuid). A record of no readable uuid keeps the hash of its line: the merge rejects it alone.
create or replace temp table partition_keys as
select r.part_seq, hash(coalesce(l.label, n.node)) as part_hash
from partition_records as r
join fs_nodes as n on n.uuid = r.uuid
left join fs_labels as l on l.node = n.node;

drop table fs_nodes;
drop table fs_edges;
drop table fs_labels;
drop table if exists fs_changes
