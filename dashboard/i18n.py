"""Dashboard label text in Swedish (default) and English.

Numbers, dates and period labels come from pipeline.readable; this module holds only the words
the dashboard itself shows. `t(key, lang, **values)` looks a label up and fills its placeholders.
"""

from __future__ import annotations

from typing import Any

LANGS = ("sv", "en")

LABELS: dict[str, tuple[str, str]] = {
    # shared
    "app_title": ("Växelstatistik", "Switchboard statistics"),
    "page_week": ("Vecka", "Week"),
    "page_month": ("Månad", "Month"),
    "page_sql": ("SQL", "SQL"),
    "page_data": ("Data", "Data"),
    "org_label": ("Organisation", "Organisation"),
    "org_both": ("Båda", "Both"),
    "lang_label": ("Språk / Language", "Språk / Language"),
    "data_through": ("data t.o.m. {date}", "data through {date}"),
    "missing_db": (
        "Det finns ingen databas att visa ännu ({reason}). Läs in samtalsloggar med "
        "`callstats ingest MAPP` och ladda sedan om sidan.",
        "There is no database to show yet ({reason}). Load call logs with `callstats ingest FOLDER`, "
        "then reload the page.",
    ),
    "replacing_db": (
        "Databasen byts just nu ut mot en nyare version. Ladda om sidan om en stund.",
        "The database is being replaced by a newer version right now. Reload the page in a moment.",
    ),
    "png_hint": (
        "Diagrammen laddas ner som PNG med kameraikonen i diagrammets verktygsrad.",
        "Download a chart as PNG with the camera icon in the chart's toolbar.",
    ),
    "download_csv": ("Ladda ner CSV", "Download CSV"),
    "health_banner": (
        "Datakvalitet – läs inte detta som en verklig förändring utan att kontrollera: {items}. "
        "Detaljer: `callstats status`.",
        "Data health – do not read this as a real change without checking: {items}. "
        "Details: `callstats status`.",
    ),
    "download_xlsx": ("Ladda ner Excel", "Download Excel"),
    # week page
    "week_title": ("Veckan – samtal per vecka", "The week – calls per week"),
    "weeks_shown": ("Antal veckor", "Number of weeks"),
    "measure": ("Visa", "Show"),
    "measure_calls": ("Samtal", "Calls"),
    "measure_per_workday": ("Samtal per arbetsdag", "Calls per working day"),
    "series_this": ("Samtal", "Calls"),
    "series_prev": ("Samma vecka föregående år", "Same week previous year"),
    "series_baseline": (
        "Baslinje ({baseline}/mån, efter arbetsdagar)",
        "Baseline ({baseline}/month, by working days)",
    ),
    "baseline_org_note": (
        "Baslinjen gäller hela växeln och visas när Båda är valt.",
        "The baseline is for the whole switchboard and shows when Both is selected.",
    ),
    "in_progress": ("pågår", "in progress"),
    "incomplete_note": (
        "Streckad stapel = pågående vecka ({label}); jämförelsen med föregående år gäller samma dagar.",
        "Hatched bar = week in progress ({label}); the previous-year comparison covers the same days.",
    ),
    "selected_week": ("Vald vecka", "Selected week"),
    "key_figures": ("Nyckeltal för {week}", "Key figures for {week}"),
    "vs_prev_year": (
        "Förändring mot samma dagar ett år tidigare: {span} {year}.",
        "Change against the same days a year earlier: {span} {year}.",
    ),
    "kf_calls": ("Inkommande samtal", "Offered calls"),
    "kf_answer_rate": ("Svarsfrekvens", "Answer rate"),
    "kf_service_level": ("Servicenivå (inom {s} s)", "Service level (within {s} s)"),
    "kf_asa": ("Genomsnittlig väntetid", "Average wait (ASA)"),
    "kf_after_hours": ("Utanför öppettid", "After hours"),
    "pp": ("p.e.", "pp"),
    "days_of_week": ("Veckans dagar", "The days of the week"),
    "heatmap_title": ("Samtal per veckodag och timme", "Calls by weekday and hour"),
    "heatmap_span": ("Period", "Period"),
    "heatmap_note": (
        "Genomsnittligt antal samtal per dag, {first} – {last}.",
        "Average calls per day, {first} – {last}.",
    ),
    "per_day": ("samtal/dag", "calls a day"),
    "hour": ("Timme", "Hour"),
    "weekday": ("Veckodag", "Weekday"),
    # day table
    "col_date": ("Datum", "Date"),
    "col_weekday": ("Veckodag", "Weekday"),
    "col_day_type": ("Dagtyp", "Day type"),
    "col_calls": ("Samtal", "Calls"),
    "col_answered": ("Besvarade", "Answered"),
    "col_answer_rate": ("Svarsfrekvens", "Answer rate"),
    "col_service_level": ("Servicenivå", "Service level"),
    "col_asa": ("Väntetid (s)", "Wait (s)"),
    "col_after_hours": ("Utanför öppettid", "After hours"),
    "day_full": ("heldag", "full day"),
    "day_half": ("halvdag", "half day"),
    "day_closed": ("stängt", "closed"),
    # month page
    "month_title": ("Månaden – jämförelse med föregående år", "The month – compared with last year"),
    "year": ("År", "Year"),
    "baseline_line": ("Baslinje {baseline} samtal/månad", "Baseline {baseline} calls/month"),
    "series_projection": ("Prognos hela månaden", "Projection for the whole month"),
    "series_same_days": ("Samma period {year}", "Same period {year}"),
    "like_for_like": (
        "{month} {through}: {calls}, samma period {prev_year}: {prev} ({change})",
        "{month} {through}: {calls}, same period {prev_year}: {prev} ({change})",
    ),
    "projection_text": (
        "Prognos för hela {month} (samtal per arbetsdag × månadens {days} arbetsdagar): {projected}; "
        "hela {month} {prev_year}: {prev_full}. Prognosen är ingen mätning.",
        "Projection for the whole of {month} (calls per working day × the month's {days} working days): "
        "{projected}; all of {month} {prev_year}: {prev_full}. A projection, not a measurement.",
    ),
    "board_table": ("Tabell för nämnden", "Table for the board"),
    "month_weeks": ("Veckorna i {month}", "The weeks of {month}"),
    "sheet_months": ("Månader", "Months"),
    "sheet_weeks": ("Veckor", "Weeks"),
    "chosen_month": ("Månad", "Month"),
    "sum_of": ("Summa {month}", "Total {month}"),
    "series_events": ("Händelser", "Events"),
    "year_heading": ("Året {year}", "The year {year}"),
    "ys_calls": ("Samtal {year}", "Calls {year}"),
    "ys_prev": ("{year}", "{year}"),
    "ys_same_days": ("samma dagar", "same days"),
    "ys_change": ("Förändring", "Change"),
    "ys_change_per_workday": ("Per arbetsdag", "Per working day"),
    "ys_average": ("Snitt/månad", "Average/month"),
    "ys_baseline": ("Baslinje {baseline} samtal/månad", "Baseline {baseline} calls a month"),
    "col_period": ("Period", "Period"),
    "col_prev": ("Föregående år", "Previous year"),
    "col_change": ("Förändring", "Change"),
    "col_workdays": ("Arbetsdagar", "Working days"),
    "col_per_workday": ("Per arbetsdag", "Per working day"),
    "col_change_per_workday": ("Förändring per arbetsdag", "Change per working day"),
    "col_week": ("Vecka", "Week"),
    "col_days": ("Dagar", "Days"),
    # SQL page
    "sql_title": ("SQL – egna frågor mot databasen", "SQL – your own queries"),
    "sql_intro": (
        "Databasen öppnas skrivskyddad: bara frågor (SELECT, DESCRIBE, SHOW, EXPLAIN, PRAGMA) körs, utan "
        "tillgång till filer eller tillägg. En fråga stoppas efter {timeout} s och visar högst "
        "{rows} rader.",
        "The database is opened read-only: only queries (SELECT, DESCRIBE, SHOW, EXPLAIN, PRAGMA) run, "
        "with no access to files or extensions. A query is stopped after {timeout} s and shows at most "
        "{rows} rows.",
    ),
    "sql_editor": ("SQL", "SQL"),
    "sql_run": ("Kör", "Run"),
    "sql_examples": ("Exempelfrågor", "Example queries"),
    "sql_use_example": ("Använd exemplet", "Use the example"),
    "sql_rows": ("{rows} rader på {seconds} s", "{rows} rows in {seconds} s"),
    "sql_truncated": (
        "Resultatet är avkortat till de första {rows} raderna.",
        "The result is cut to the first {rows} rows.",
    ),
    "sql_truncated_bytes": (
        "Resultatet är avkortat till de första {rows} raderna ({mb} MB).",
        "The result is cut to the first {rows} rows ({mb} MB).",
    ),
    "sql_browser": ("Tabeller och vyer", "Tables and views"),
    "sql_error": ("Frågan kunde inte köras: {message}", "The query could not run: {message}"),
    "sql_timeout": (
        "Frågan stoppades efter {timeout} s. Begränsa den (WHERE, LIMIT) och försök igen.",
        "The query was stopped after {timeout} s. Narrow it (WHERE, LIMIT) and try again.",
    ),
    "sql_refused": (
        "Bara en fråga i taget, och bara frågor som läser (SELECT, DESCRIBE, SHOW, EXPLAIN, PRAGMA) – "
        "databasen är skrivskyddad. Fick: {kind}.",
        "One query at a time, and only queries that read (SELECT, DESCRIBE, SHOW, EXPLAIN, PRAGMA) – "
        "the database is read-only. Got: {kind}.",
    ),
    "sql_empty": ("Skriv en fråga först.", "Write a query first."),
    "col_column": ("Kolumn", "Column"),
    "col_type": ("Typ", "Type"),
    "col_description": ("Beskrivning (på engelska)", "Description"),
    # data page
    "data_title": ("Data – vad databasen innehåller", "Data – what the database holds"),
    "built": ("Byggd {built_at} (bygge {build_id}).", "Built {built_at} (build {build_id})."),
    "calls_total": ("Samtal i databasen", "Calls in the database"),
    "first_date": ("Första datum", "First date"),
    "files": ("Inlästa filer", "Ingested files"),
    "rejected": ("Avvisade rader", "Rejected rows"),
    "rejected_none": ("Inga rader har avvisats.", "No rows were rejected."),
    "rejected_cap": ("Visar de första {rows} avvisade raderna.", "Showing the first {rows} rejected rows."),
    "filtered": ("Bortfiltrerade rader", "Filtered rows"),
    "filtered_none": ("Inga rader har filtrerats bort.", "No rows were filtered out."),
    "settings": ("Inställningar databasen byggdes med", "Settings the database was built with"),
    "col_reason": ("Orsak", "Reason"),
    "col_rows": ("Rader", "Rows"),
    # the Data page's tables: database column → heading
    "col_file_id": ("Fil-id", "File id"),
    "col_path": ("Fil", "File"),
    "col_format": ("Format", "Format"),
    "col_source_system": ("Källsystem", "Source system"),
    "col_rows_read": ("Lästa", "Read"),
    "col_loaded": ("Inlästa", "Loaded"),
    "col_merged": ("Sammanslagna", "Merged"),
    "col_duplicate": ("Dubbletter", "Duplicates"),
    "col_rejected": ("Avvisade", "Rejected"),
    "col_filtered": ("Filtrerade", "Filtered"),
    "col_status": ("Status", "Status"),
    "col_message": ("Meddelande", "Message"),
    "col_finished_at": ("Klar", "Finished"),
    "col_line_no": ("Rad", "Line"),
    "col_raw": ("Radens text", "Line text"),
    "col_name": ("Namn", "Name"),
    "col_kind": ("Anmärkning", "Finding"),
    "col_severity": ("Allvar", "Severity"),
    "col_first_date": ("Från", "From"),
    "col_last_date": ("Till", "To"),
    "col_detail": ("Detalj", "Detail"),
    "health": ("Datakvalitet", "Data health"),
    "health_none": ("Inga anmärkningar på datan.", "No findings on the data."),
    "severity_serious": ("allvarlig", "serious"),
    "severity_warning": ("varning", "warning"),
    "col_value": ("Värde", "Value"),
}

# The SQL page's browser in Swedish: one line per relation. The English help is the database's own
# description (COMMENT ON, written from the view files' headers and sql/schema/tables.sql).
RELATION_HELP: dict[str, str] = {
    "callers_by_day": (
        "Uppringare, inte samtal, per dag: unika, återkommande, nådde en person, gav upp och kom fram "
        "senare eller aldrig, löst vid första kontakt. Bara pseudonymer; dolda nummer räknas för sig."
    ),
    "callers_by_week": "Uppringare per ISO-vecka: unika, tre eller fler samtal, andel som nådde en person.",
    "callers_by_month": "Uppringare per månad: unika, tre eller fler samtal, andel som nådde en person.",
    "calls": "Ett samtal per rad, ben sammanslagna; uppringaren som pseudonym (caller_key).",
    "daily_facts": "Dagliga summor per organisation som alla vyer läser.",
    "hourly_facts": "Samtal per datum, organisation och timme.",
    "calendar": "Arbetsdagskalendern: dagtyp (heldag/halvdag/stängt), helgdagsnamn, ISO-vecka.",
    "ingested_files": "Inlästa filer med antal lästa, laddade, dubbletter, avvisade, filtrerade.",
    "rejected_rows": "Avvisade rader med radnummer och orsak.",
    "filtered_rows": "Bortfiltrerade rader per fil och orsak.",
    "switchboard_numbers": "Växelnummer → organisation, med giltighetsdatum.",
    "settings": "Inställningarna databasen byggdes med, data_through och bygg-id.",
    "calls_by_day": "Datum × organisation: samtal, besvarade, tappade, dagtyp.",
    "calls_by_week": "ISO-vecka, hela växeln: arbetsdagar, baslinje, föregående år lika för lika.",
    "calls_by_week_org": "ISO-vecka × organisation (utan baslinje).",
    "calls_by_month": "Månad, hela växeln: lika-för-lika-jämförelse, prognos för ofullständig månad.",
    "calls_by_month_org": "Månad × organisation (utan baslinje).",
    "calls_by_month_week": (
        "Månadens veckor, delade veckor avskurna vid månadsgränsen; summerar till månaden."
    ),
    "calls_by_month_week_org": "Månadens veckor × organisation.",
    "calls_by_date_hour": "Datum × organisation × timme, med veckodag (för bemanning).",
    "calls_by_hour": "Veckodag × timme över all data: samtal och snitt per dag.",
}
INTERNAL_HELP = ("Intern byggsten för vyerna.", "Internal building block of the views.")


def t(key: str, lang: str, **values: Any) -> str:
    text = LABELS[key][1 if lang == "en" else 0]
    return text.format(**values) if values else text


def relation_help(name: str, lang: str, comment: str | None = None) -> str:
    """What the SQL page says about a table or view: in English the database's comment on it (the
    text the DuckDB CLI and DBeaver show), in Swedish our own line."""
    if lang == "en":
        return comment or INTERNAL_HELP[1]
    return RELATION_HELP.get(name, INTERNAL_HELP[0])
