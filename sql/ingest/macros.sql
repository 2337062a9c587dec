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
