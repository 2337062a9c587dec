-- Data-health findings of the build, by severity (serious, warning): the summary's last line.
select severity, count(*) from data_health group by all
