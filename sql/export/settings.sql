-- settings for the Parquet export: the build's settings (data_through, build_id, the baseline),
-- which base_days reads. One unpartitioned file.
select * from settings
