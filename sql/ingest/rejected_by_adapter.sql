-- One record the adapter rejected (its raw text and reason already masked by the caller).
insert into rejected_rows values ($file_id, $line_no, $raw, $reason)
