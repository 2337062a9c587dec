-- The accepted rows of this file that are new calls (temp `to_load`).
-- Grain: one row per call. Dedupe key (source_system, call_id): within the file the first record
-- (lowest line) wins; a call already stored from an earlier file is a duplicate, not an update.
create or replace temp table to_load as
with accepted as (
    select * from normalised where verdict = 'ok'
),

first_in_file as (
    select * from accepted
    qualify row_number() over (partition by id order by line_no) = 1
),

stored as (
    select call_id from calls where source_system = $source_system
),

final as (
    select f.*
    from first_in_file as f
    anti join stored as s on s.call_id = f.id
)

select * from final
