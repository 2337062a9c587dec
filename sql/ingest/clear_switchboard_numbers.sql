-- Before switchboard_numbers.sql fills the table again from the settings.
delete from switchboard_numbers
