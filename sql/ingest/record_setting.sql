-- One setting of this build. Parameters: $name, $value (text, or null).
insert into settings values ($name, $value)
