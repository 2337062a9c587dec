-- One reason a file's records were filtered, with how many (reason masked by the caller).
insert into filtered_rows values ($file_id, $reason, $rows)
