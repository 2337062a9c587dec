-- The calendar rebuilt from the working-day frame registered as `calendar_frame`.
delete from calendar;
insert into calendar select * from calendar_frame;
