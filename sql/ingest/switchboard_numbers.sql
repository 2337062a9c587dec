-- The settings' switchboard numbers, as the normalising SQL looks them up (organisation by dialled
-- number and date). Rebuilt from the settings at the start of every ingest.
-- Parameters: $number, $organisation, $valid_from, $valid_to (text; '' = open-ended).
insert into switchboard_numbers values (
    $number,
    $organisation,
    cast(nullif($valid_from, '') as date),
    cast(nullif($valid_to, '') as date)
)
