-- Which spilled FreeSWITCH records (`partition_records`) must be merged in one partition. Nodes are
-- the uuids of the readable records (`key_readable`: the merge rejects the others before keying);
-- an edge joins two uuids whenever the merge might put their records into one call:
-- - a record naming another record's uuid as its bleg_uuid (that uuid is then its B leg, keyed by
--   the first record naming it: every naming record is linked, so the first is among them);
-- - a loopback leg (destination a loopback app, no bleg_uuid) and each bridged leg with its caller
--   number that it may serve: ending within two seconds of it (the merge allows one whole second,
--   on second buckets of the end stamp) and starting between its answer (or start) and its end.
-- Linking more than the merge uses costs only partition size, never a different result.
create or replace temp table fs_nodes as
select uuid, min(part_seq) as node
from partition_records
where key_readable
group by uuid;

create or replace temp table fs_edges as
with named as (
    select a.node as a, b.node as b
    from partition_records as r
    join fs_nodes as a on a.uuid = r.uuid
    join fs_nodes as b on b.uuid = r.bleg_uuid
    where r.key_readable and r.bleg_uuid <> r.uuid
),
legs as (
    select uuid, caller_id_number, key_start, floor(epoch(key_end))::bigint + shifts.shift as end_s
    from partition_records
    cross join range(-2, 3) as shifts(shift)
    where key_readable and key_loop and bleg_uuid is null and caller_id_number is not null
        and key_end is not null
),
hosts as (
    select uuid, caller_id_number, key_start, key_answer, key_end, floor(epoch(key_end))::bigint as end_s
    from partition_records
    where key_readable and bleg_uuid is not null and caller_id_number is not null and key_end is not null
),
served as (
    select leg.node as a, host.node as b
    from legs as l
    join hosts as h on h.caller_id_number = l.caller_id_number and h.end_s = l.end_s
    join fs_nodes as leg on leg.uuid = l.uuid
    join fs_nodes as host on host.uuid = h.uuid
    where l.key_start >= coalesce(h.key_answer, h.key_start) and l.key_start <= h.key_end
),
linked as (
    select a, b from named
    union all
    select a, b from served
)
select a, b from linked where a <> b
union
select b, a from linked where a <> b;

-- Every linked uuid starts as its own label (its first record's place in the file).
create or replace temp table fs_labels as
select distinct a as node, a as label
from fs_edges
