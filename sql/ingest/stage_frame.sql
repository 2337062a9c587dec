-- An adapter's canonical frame (registered as `parsed_calls`) into the temp table `staged`.
create or replace temp table staged as
select
    line_no, call_id, started_at, answered_at, ended_at, outcome, wait_s, talk_s,
    dialled_number, organisation, queue, caller
from parsed_calls
