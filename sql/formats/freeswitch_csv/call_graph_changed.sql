-- How many labels the last round of call_graph_step.sql moved.
select changed from fs_changes
