-- Whether the rows this file just inserted into `calls` repeat a call id (within the file: ids stored
-- before were left out by the insert). Compared on 128-bit digests (md5_number), a fraction of the
-- memory of the ids themselves. Not on DuckDB's 64-bit `hash()`: it collides on ids that differ by
-- swapped digits, which Asterisk's uniqueids (epoch.sequence) do all the time ('1439042078.1099762'
-- and '1439042778.1099062' hash alike: 1 602 false repeats in 1.67 million uniqueids), and a false
-- "repeats" deletes the file's rows and inserts them all again with a window over the whole file.
select count(*) > count(distinct md5_number(call_id)) from calls where file_id = $file_id
