-- Step 7, outcome: answered by a person first, then voicemail, queue timeout, busy, failed, closed
-- (the PBX answered with an announcement and nothing was dialled), unknown, else abandoned.
create or replace temp table cdr_outcomes as
select
    *,
    case
        when answered is not null then 'answered'
        when voicemail then 'voicemail'
        when timeout then 'timeout'
        when busy then 'busy'
        when failed then 'failed'
        when announced and not dialled then 'closed'
        when unknown then 'unknown'
        else 'abandoned'
    end as outcome
from cdr_kept
where keep;

drop table cdr_kept;
