-- Tables of the working store (copied whole into each published snapshot).
-- Idempotent: run on every open. Views are created separately from sql/views/.

-- The analysts' tables' columns are described by COMMENT ON COLUMN at the end of this file.
create table if not exists calls (
    call_id        varchar not null,
    source_system  varchar not null,
    started_at     timestamptz not null,
    call_date      date not null,
    start_hour     tinyint not null,
    answered_at    timestamptz,
    ended_at       timestamptz,
    wait_s         double,
    talk_s         double,
    outcome        varchar not null,
    organisation   varchar not null,
    dialled_number varchar,
    queue          varchar,
    caller_key     varchar,
    caller_raw     varchar,
    is_open_hours  boolean not null,
    file_id        integer not null
);

-- Pre-aggregated daily facts: what every view reads. Kept when call rows are purged, so the
-- statistics outlive the personal data they were computed from.
create table if not exists daily_facts (
    date                 date not null,
    organisation         varchar not null,
    calls                integer not null,
    answered             integer not null,
    abandoned            integer not null,
    short_abandons       integer not null,
    other_outcomes       integer not null,
    after_hours          integer not null,
    answered_within_sl   integer not null,
    wait_answered_s_sum  double not null,
    talk_s_sum           double not null
);

create table if not exists hourly_facts (
    date          date not null,
    organisation  varchar not null,
    hour          tinyint not null,
    calls         integer not null,
    answered      integer not null,
    abandoned     integer not null
);

create table if not exists calendar (
    date          date not null,
    iso_year      integer not null,
    iso_week      integer not null,
    week_start    date not null,
    year          integer not null,
    month         integer not null,
    weekday       integer not null,
    day_type      varchar not null,
    day_fraction  double not null,
    holiday_name  varchar,
    opens_at      time,
    closes_at     time,
    day_of_month  integer
);

-- Stores made before day_of_month existed get the column, filled once.
alter table calendar add column if not exists day_of_month integer;
update calendar set day_of_month = extract(day from date) where day_of_month is null;

create table if not exists ingested_files (
    file_id       integer not null,
    path          varchar not null,
    size_bytes    bigint not null,
    sha256        varchar not null,
    format        varchar,
    source_system varchar,
    rows_read     bigint not null default 0,
    loaded        bigint not null default 0,
    merged        bigint not null default 0,
    duplicate     bigint not null default 0,
    rejected      bigint not null default 0,
    filtered      bigint not null default 0,
    started_at    timestamptz not null,
    finished_at   timestamptz,
    status        varchar not null,
    message       varchar
);

create table if not exists rejected_rows (
    file_id  integer not null,
    line_no  bigint,
    raw      varchar,
    reason   varchar not null
);

create table if not exists filtered_rows (
    file_id  integer not null,
    reason   varchar not null,
    rows     bigint not null
);

create table if not exists switchboard_numbers (
    number        varchar not null,
    organisation  varchar not null,
    valid_from    date,
    valid_to      date
);

create table if not exists settings (
    name   varchar not null,
    value  varchar
);

-- What the board's papers explain dips and peaks with (an outage, new equipment, a number change),
-- and a month's commentary (kind 'comment'). Written by `callstats events`, never by an ingest, so
-- purge, re-ingest and recount leave them as they are. organisation NULL = the whole switchboard.
create table if not exists events (
    id            integer not null primary key,
    first_date    date not null,
    last_date     date not null,
    organisation  varchar,
    kind          varchar not null,
    text          varchar not null,
    added_at      timestamptz not null
);

-- Calls per source system and local date, kept like the facts (a purge leaves them): which days
-- each source covers, and whether two sources cover the same day.
create table if not exists source_days (
    source_system  varchar not null,
    date           date not null,
    calls          bigint not null
);

-- Local dates whose facts (daily, hourly, caller) are behind their call rows: each file's transaction
-- adds the dates it brought calls on, and one transaction after the run's last file recounts their
-- facts and empties this table, so a folder of daily files pays for the facts once, not per file.
-- A run that dies between the two leaves its dates here for the next run (or purge, or event) to
-- recount before anything is published: a published snapshot has this table empty.
create table if not exists stale_fact_dates (
    date  date not null
);

-- The shape of each loaded file: its format and column count (the first line's fields), for
-- noticing an export whose layout changed from the previous file of the same source.
create table if not exists file_profile (
    file_id        integer not null,
    source_system  varchar not null,
    format         varchar not null,
    column_count   integer,
    first_date     date,
    last_date      date
);

-- One row per ingest that published: what `callstats status` reports as the last ingest.
create table if not exists ingest_runs (
    started_at     timestamptz not null,
    finished_at    timestamptz not null,
    files          integer not null,       -- files considered
    loaded_files   integer not null,
    already_loaded integer not null,
    still_failing  integer not null,
    failed         integer not null,
    calls_loaded   bigint not null,
    rejected       bigint not null
);

-- Data-health findings of the published data, recomputed at the end of every ingest
-- (sql/ingest/data_health.sql). severity: 'serious' (the figures are wrong as they stand) or
-- 'warning' (worth a look).
create table if not exists data_health (
    kind           varchar not null,       -- missing_day, low_day, missing_hours, overlapping_sources,
                                           -- shifted_hour, format_changed
    severity       varchar not null,
    first_date     date not null,
    last_date      date not null,
    source_system  varchar,
    detail         varchar not null        -- English, for status and the logs
);

-- Caller facts, computed at ingest from the call rows' pseudonyms and kept when call rows are
-- purged (like daily_facts). Scope is an organisation or '(alla)', the whole switchboard: unique
-- callers cannot be summed over organisations (one person may call both), so '(alla)' is stored.
-- Calls without a pseudonym (withheld or anonymous numbers) are counted apart, never as one caller.
create table if not exists caller_day_facts (
    date                    date not null,
    organisation            varchar not null,  -- an organisation or '(alla)'
    next_workday            date not null,     -- the follow-up windows end on these working days
    second_workday          date not null,
    callers                 integer not null,  -- distinct pseudonyms
    repeat_callers          integer not null,  -- called more than once that day
    reached_callers         integer not null,  -- at least one call answered that day
    gave_up_callers         integer not null,  -- at least one abandoned call that day
    through_within_hour     integer not null,  -- … answered within an hour of the first abandon
    through_same_day        integer not null,  -- … answered later the same day
    through_by_next_workday integer not null,  -- … answered by the end of the next working day
    anonymous_calls         integer not null,  -- calls without a pseudonym
    anonymous_answered      integer not null,
    anonymous_abandoned     integer not null,
    resolved_callers        integer not null   -- answered, no further call within 2 working days
);

create table if not exists caller_period_facts (
    period          varchar not null,          -- 'week' (ISO) or 'month'
    period_start    date not null,
    period_end      date not null,
    organisation    varchar not null,          -- an organisation or '(alla)'
    callers         integer not null,
    repeat_callers  integer not null,          -- three or more calls in the period
    reached_callers integer not null,
    anonymous_calls integer not null
);

-- What the DuckDB CLI, DBeaver and the SQL page show for each table (the views' descriptions come
-- from their files' headers, pipeline/views.py). Re-run on every open, so an older store gets them;
-- in one transaction, because each comment on its own commits (a quarter of a second for them all).
begin transaction;
comment on table calls is 'One offered call per row, legs merged; the caller as a keyed pseudonym (caller_key). (source_system, call_id) is unique.';
comment on table daily_facts is 'Daily totals per organisation that every view reads; kept when call rows are purged.';
comment on table hourly_facts is 'Calls per local date, organisation and hour; kept when call rows are purged.';
comment on table calendar is 'The working-day calendar: day type (full/half/closed), day fraction, holiday name, ISO week, opening hours.';
comment on table ingested_files is 'Ingested files with counts read, loaded, merged, duplicate, rejected, filtered (read = the sum of the others).';
comment on table rejected_rows is 'Rejected rows with their file, line number, text and reason.';
comment on table filtered_rows is 'Rows left out on purpose (not calls to the switchboard), per file and reason.';
comment on table switchboard_numbers is 'Switchboard number → organisation, with validity dates (numbers get reassigned).';
comment on table settings is 'The settings the database was built with, data_through (last date with data) and the build id.';
comment on table events is 'Events that explain dips and peaks (an outage, a number change) and month commentary, added with callstats events.';
comment on table source_days is 'Calls per source system and local date: which days each telephony source covers.';
comment on table stale_fact_dates is 'Dates whose facts are recounted at the end of the ingest run that loaded them; empty in a published database.';
comment on table file_profile is 'The shape of each loaded file (format, column count, dates), for noticing a changed export layout.';
comment on table ingest_runs is 'One row per ingest that published: files, calls loaded, rejected rows.';
comment on table data_health is 'Findings on the published data (missing days, low days, overlapping sources …), severity serious or warning.';
comment on table caller_day_facts is 'Callers (pseudonyms, never numbers) per day and scope, computed at ingest and kept after a purge.';
comment on table caller_period_facts is 'Unique and repeat callers per ISO week and month and scope (unique callers cannot be summed over days).';

comment on column calls.call_id is 'The call''s id in its source system.';
comment on column calls.source_system is 'The telephony system (format) the call came from.';
comment on column calls.started_at is 'When the call reached the switchboard (an instant; shown in the site''s time zone).';
comment on column calls.call_date is 'The local date the call started, in the site''s time zone.';
comment on column calls.start_hour is 'The local hour the call started, 0–23.';
comment on column calls.answered_at is 'When a person answered; NULL when nobody did.';
comment on column calls.ended_at is 'When the call ended.';
comment on column calls.wait_s is 'Seconds from arrival to answer (answered) or to hang-up (abandoned).';
comment on column calls.talk_s is 'Seconds of conversation.';
comment on column calls.outcome is 'answered, abandoned, busy, failed, voicemail, timeout, closed or unknown.';
comment on column calls.organisation is 'The organisation called, from the dialled number (or the file''s organisation column).';
comment on column calls.dialled_number is 'The switchboard number called, digits in national form.';
comment on column calls.queue is 'The switchboard queue or group, as the telephony system names it.';
comment on column calls.caller_key is 'The caller as a keyed pseudonym (HMAC); never the raw number by default.';
comment on column calls.caller_raw is 'The raw caller number, only when the site sets store_raw_caller; else NULL.';
comment on column calls.is_open_hours is 'The call started inside the opening hours of its date.';
comment on column calls.file_id is 'The ingested file the call came from (ingested_files.file_id).';

comment on column daily_facts.date is 'The local date.';
comment on column daily_facts.organisation is 'The organisation called.';
comment on column daily_facts.calls is 'Offered calls, one per call however many legs were logged.';
comment on column daily_facts.answered is 'Calls answered by a person.';
comment on column daily_facts.abandoned is 'Calls where the caller hung up before an answer (short abandons included).';
comment on column daily_facts.short_abandons is 'Abandoned calls that waited less than short_abandon_s seconds.';
comment on column daily_facts.other_outcomes is 'Calls neither answered nor abandoned (busy, failed, voicemail, timeout, closed, unknown).';
comment on column daily_facts.after_hours is 'Calls that started outside the opening hours.';
comment on column daily_facts.answered_within_sl is 'Answered calls that waited at most service_level_s seconds.';
comment on column daily_facts.wait_answered_s_sum is 'Total seconds answered calls waited before the answer.';
comment on column daily_facts.talk_s_sum is 'Total seconds of conversation of answered calls.';

comment on column hourly_facts.date is 'The local date.';
comment on column hourly_facts.organisation is 'The organisation called.';
comment on column hourly_facts.hour is 'The local wall-clock hour the calls started, 0–23.';
comment on column hourly_facts.calls is 'Offered calls that started in the hour.';
comment on column hourly_facts.answered is 'Of those, answered by a person.';
comment on column hourly_facts.abandoned is 'Of those, the caller hung up before an answer.';

comment on column calendar.date is 'The date.';
comment on column calendar.iso_year is 'The ISO 8601 year of the date''s week.';
comment on column calendar.iso_week is 'The ISO 8601 week number, 1–53.';
comment on column calendar.week_start is 'The Monday of the ISO week.';
comment on column calendar.year is 'The calendar year.';
comment on column calendar.month is 'The calendar month, 1–12.';
comment on column calendar.weekday is '1 = Monday … 7 = Sunday.';
comment on column calendar.day_type is 'full, half (closes at half_day_closes_at) or closed (weekend, holiday, local closed day).';
comment on column calendar.day_fraction is 'The day in working days: 1, 0.5 or 0.';
comment on column calendar.holiday_name is 'The Swedish name of the holiday or eve that makes the day closed or half, else NULL.';
comment on column calendar.opens_at is 'Opening time of the switchboard that day; NULL when closed.';
comment on column calendar.closes_at is 'Closing time that day; NULL when closed.';
comment on column calendar.day_of_month is 'The day of the month, 1–31 (the views join it rather than call a date function).';

comment on column ingested_files.file_id is 'The file''s number, referred to by calls, rejected_rows and filtered_rows.';
comment on column ingested_files.path is 'The path the file was read from.';
comment on column ingested_files.size_bytes is 'The file''s size in bytes.';
comment on column ingested_files.sha256 is 'The content hash: the same file again, even renamed, is already loaded.';
comment on column ingested_files.format is 'The format the file was read as (--format or detection).';
comment on column ingested_files.source_system is 'The telephony system the calls are attributed to.';
comment on column ingested_files.rows_read is 'Records read (read = loaded + merged + duplicate + rejected + filtered).';
comment on column ingested_files.loaded is 'Calls loaded.';
comment on column ingested_files.merged is 'Records merged into another record''s call (legs, queue events).';
comment on column ingested_files.duplicate is 'Calls already loaded (same source system and call id).';
comment on column ingested_files.rejected is 'Records rejected with a reason (rejected_rows).';
comment on column ingested_files.filtered is 'Records left out on purpose, e.g. outbound or internal calls (filtered_rows).';
comment on column ingested_files.started_at is 'When loading the file started.';
comment on column ingested_files.finished_at is 'When loading the file finished.';
comment on column ingested_files.status is 'loaded or failed.';
comment on column ingested_files.message is 'Why a failed file failed, in one line.';

comment on column rejected_rows.file_id is 'The file (ingested_files.file_id).';
comment on column rejected_rows.line_no is 'The physical line the record began on, counted from 1.';
comment on column rejected_rows.raw is 'The record''s text as read.';
comment on column rejected_rows.reason is 'Why the record was rejected.';

comment on column filtered_rows.file_id is 'The file (ingested_files.file_id).';
comment on column filtered_rows.reason is 'Why the records were left out.';
comment on column filtered_rows.rows is 'How many records were left out for that reason.';

comment on column switchboard_numbers.number is 'A switchboard number, digits only in national form (0513…).';
comment on column switchboard_numbers.organisation is 'The organisation the number answers for.';
comment on column switchboard_numbers.valid_from is 'First date the number belongs to the organisation; NULL: always.';
comment on column switchboard_numbers.valid_to is 'Last date the number belongs to the organisation; NULL: still.';

comment on column settings.name is 'The setting''s name, or data_through, build_id, built_at and other marks of the build.';
comment on column settings.value is 'Its value as text.';

commit;
