-- One round of labelling the call graph's components (call_graph.sql): each uuid takes the least
-- label among its own and its neighbours', then the label its label has (so a long chain of B legs
-- closes in about log(length) rounds, not length). `fs_changes` says how many labels moved: none
-- means every uuid carries the least node of its component.
create or replace temp table fs_labels_next as
with nearest as (
    select e.a as node, min(l.label) as label
    from fs_edges as e
    join fs_labels as l on l.node = e.b
    group by e.a
),
stepped as (
    select l.node, least(l.label, n.label) as label
    from fs_labels as l
    join nearest as n on n.node = l.node
)
select s.node, least(s.label, j.label) as label
from stepped as s
join stepped as j on j.node = s.label;

create or replace temp table fs_changes as
select count(*) as changed
from fs_labels_next as n
join fs_labels as l on l.node = n.node
where n.label <> l.label;

create or replace temp table fs_labels as
select * from fs_labels_next;

drop table fs_labels_next
