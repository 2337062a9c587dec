-- Pseudonyms of this file's callers (temp `caller_keys`): HMAC-SHA256 computed in bulk from
-- the key's inner and outer pads ($ipad, $opad, bound as blobs; the key itself never enters the
-- database), first 16 hex digits. Equal to pipeline.pseudonym.pseudonym() for the same key.
create or replace temp table caller_keys as
select
    caller_norm,
    left(sha256($opad || unhex(sha256($ipad || encode(caller_norm)))), 16) as caller_key
from (select distinct caller_norm from normalised where verdict = 'ok' and caller_norm is not null)
