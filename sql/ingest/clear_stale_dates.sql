-- The stale dates' facts were recounted (in the same transaction): none is stale any more.
delete from stale_fact_dates
