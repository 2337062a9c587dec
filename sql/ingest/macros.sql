-- Session macros for the ingest (temporary: never stored in the published database).
-- Phone numbers to digits in national form, so '+46 513-170 00', '0046513 17000' and '0513-170 00'
-- compare equal. NULL for an empty value.
create or replace temp macro digits_national(raw) as (
    case
        when nullif(trim(raw), '') is null then null
        when trim(raw) like '+46%' then '0' || substr(regexp_replace(raw, '[^0-9]', '', 'g'), 3)
        when trim(raw) like '0046%' then '0' || substr(regexp_replace(raw, '[^0-9]', '', 'g'), 5)
        else nullif(regexp_replace(raw, '[^0-9]', '', 'g'), '')
    end
);

-- Text to an instant: with an offset ('…+01:00', '…Z') it is exact; naive text is wall-clock time
-- in `zone`. NULL for empty or unparseable text (the caller decides whether that is a reject).
create or replace temp macro parse_instant(text, zone) as (
    case
        when nullif(text, '') is null then null
        when regexp_matches(text, '(Z|[+-]\d\d(:?\d\d)?)$') then try_cast(text as timestamptz)
        else timezone(zone, try_cast(text as timestamp))
    end
);
