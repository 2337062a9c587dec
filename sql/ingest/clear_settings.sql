-- Before the settings of this build are written (record_setting.sql, one row per setting).
delete from settings
