-- One more partition's canonical frame (registered as `parsed_calls`) appended to `staged`.
insert into staged
select
    line_no, call_id, started_at, answered_at, ended_at, outcome, wait_s, talk_s,
    dialled_number, organisation, queue, caller
from parsed_calls
