-- Whether one call_id appears on several accepted rows of the file (insert_calls.sql then keeps one).
select count(*) > count(distinct id) from normalised where verdict = 'ok'
