-- One value of the settings stored with the last build (purged_before, ...). Parameters: $name.
select value from settings where name = $name
