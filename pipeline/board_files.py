"""The board's tables as files: CSV and JSON for other tools, an Excel workbook that prints.

They only render `board.BoardTable`s. Ratios are written one way per file and the file says which:
the CSV holds percentages (headers end in "(%)"), the JSON says each column's unit, and the
workbook holds shares with a percent number format, so Excel and LibreOffice show "88,2 %".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import readable
from pipeline.board import COLUMNS, PERIOD, BoardTable, Row
from pipeline.errors import UsageError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text cell a spreadsheet would run as a formula ('=HYPERLINK(…)', '@SUM(…)') gets a leading
    apostrophe, so it is shown as the text it is."""
    return "'" + text if text.startswith(FORMULA_START) else text


def sheet_name(text: str, used: Sequence[str] = ()) -> str:
    """A worksheet name Excel accepts: no / \\ ? * : [ ], no leading or trailing apostrophe, at most
    31 characters, unique in the workbook."""
    name = re.sub(r"[/\\?*:\[\]]", "-", text).strip("'").strip() or "Blad"
    name = name[:31]
    base, n = name, 2
    while name.lower() in (u.lower() for u in used):
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    return name


def org_text(org: str | None, lang: str) -> str:
    if org:
        return org
    return "hela växeln" if lang == "sv" else "the whole switchboard"


def through_text(through: dt.date, lang: str) -> str:
    return ("data t.o.m. " if lang == "sv" else "data through ") + readable.date_text(through, lang)


# CSV and JSON ---------------------------------------------------------------------------------


def _percent_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "share":
        return round(float(value) * 100, 1)
    return value


def csv_header(table: BoardTable) -> list[str]:
    return [
        PERIOD[table.lang],
        *(
            COLUMNS[c].label(table.lang) + (" (%)" if COLUMNS[c].kind in ("share", "pct") else "")
            for c in table.columns
        ),
    ]


def render_csv(table: BoardTable, *, bom: bool = True) -> str:
    """One row per period and the Summa row last; numbers with a decimal point and no thousands
    separator; every ratio in percent, as the headers say; a byte-order mark so Excel reads å, ä, ö."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_header(table))
    for row in table.all_rows():
        values = [_percent_value(row.values.get(c), COLUMNS[c].kind) for c in table.columns]
        writer.writerow([neutralise(row.label), *("" if v is None else v for v in values)])
    return ("\ufeff" if bom else "") + buffer.getvalue()


UNITS = {
    "int": "count",
    "workdays": "days",
    "dec1": "calls per working day",
    "share": "share 0–1",
    "pct": "percent",
}


def _json_row(row: Row, columns: Sequence[str]) -> dict[str, Any]:
    return {"period": row.label, **row.fields(), **{c: row.values.get(c) for c in columns}}


def as_json(table: BoardTable, through: dt.date) -> dict[str, Any]:
    """Structured fields beside the labels; the Summa row apart from the data rows."""
    out: dict[str, Any] = {
        "kind": table.kind,
        "title": table.title,
        "organisation": table.org,
        "lang": table.lang,
        "data_through": through,
        "columns": {
            c: {"label": COLUMNS[c].label(table.lang), "unit": UNITS[COLUMNS[c].kind]} for c in table.columns
        },
        "rows": [_json_row(r, table.columns) for r in table.rows],
        "total": _json_row(table.total, table.columns) if table.total else None,
    }
    if table.summary is not None:
        out["year_summary"] = {k: v for k, v in vars(table.summary).items()}
    return out


def render_json(table: BoardTable, through: dt.date) -> str:
    return json.dumps(as_json(table, through), ensure_ascii=False, indent=2, default=str)


# Excel ----------------------------------------------------------------------------------------

# [$-41D] marks a format as Swedish, so LibreOffice shows "6 247" and "4,5" whatever the machine's
# locale; Excel shows its own separators either way.
NUMBER_FORMATS = {
    "int": "[$-41D]#,##0",
    "workdays": "[$-41D]General",  # 5 stays 5, 4.5 stays 4,5
    "dec1": "[$-41D]#,##0.0",
    "share": "[$-41D]0.0 %",  # Swedish: a space before the percent sign
    "pct": "[$-41D]+0.0 %;-0.0 %;0.0 %",
}


def _excel_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "pct":
        return float(value) / 100  # stored as a share, shown as a percentage
    return value


@dataclass(frozen=True)
class SheetLayout:
    """Where a written table sits on its sheet (0-based rows), for charts and tests."""

    name: str
    header_row: int
    first_row: int
    last_row: int  # the last data row, before the Summa row
    total_row: int | None


def write_table_sheet(
    workbook: Any,
    table: BoardTable,
    *,
    name: str,
    heading: str,
    through: dt.date,
    chart: str | None = None,
    baseline_per_month: float | None = None,
    extra_lines: Sequence[str] = (),
) -> SheetLayout:
    """One table on one sheet, ready to print: title, organisation and 'data t.o.m.' above it,
    A4 landscape one page wide, header rows repeated on every page and frozen on screen.

    `chart` is 'months' (calls, last year and the baseline line) or 'weeks' (calls per row)."""
    lang = table.lang
    sheet = workbook.add_worksheet(name)
    bold = workbook.add_format({"bold": True})
    title_format = workbook.add_format({"bold": True, "font_size": 14})
    header_format = workbook.add_format(
        {
            "bold": True,
            "text_wrap": True,
            "valign": "bottom",
            "align": "right",
            "bottom": 1,
            "bg_color": "#DCE6F1",
        }
    )
    header_left = workbook.add_format({"bold": True, "valign": "bottom", "bottom": 1, "bg_color": "#DCE6F1"})
    cell_formats = {kind: workbook.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
    total_formats = {
        kind: workbook.add_format({"num_format": f, "bold": True, "top": 1})
        for kind, f in NUMBER_FORMATS.items()
    }
    total_label = workbook.add_format({"bold": True, "top": 1})

    sheet.write_string(0, 0, neutralise(heading), title_format)
    sheet.write_string(1, 0, f"Organisation: {neutralise(org_text(table.org, lang))}")
    sheet.write_string(2, 0, through_text(through, lang))
    header_row = 4
    sheet.write_string(header_row, 0, PERIOD[lang], header_left)
    for col, key in enumerate(table.columns, start=1):
        sheet.write_string(header_row, col, COLUMNS[key].label(lang), header_format)
    sheet.set_row(header_row, 32)

    row_index = header_row
    for row in table.rows:
        row_index += 1
        sheet.write_string(row_index, 0, neutralise(row.label))
        for col, key in enumerate(table.columns, start=1):
            kind = COLUMNS[key].kind
            value = _excel_value(row.values.get(key), kind)
            if value is None:
                sheet.write_blank(row_index, col, None, cell_formats[kind])
            else:
                sheet.write_number(row_index, col, value, cell_formats[kind])
    last_row = row_index
    total_row = None
    if table.total is not None:
        row_index += 1
        total_row = row_index
        sheet.write_string(row_index, 0, neutralise(table.total.label), total_label)
        for col, key in enumerate(table.columns, start=1):
            kind = COLUMNS[key].kind
            value = _excel_value(table.total.values.get(key), kind)
            if value is None:
                sheet.write_blank(row_index, col, None, total_formats[kind])
            else:
                sheet.write_number(row_index, col, value, total_formats[kind])
    row_index += 1  # a blank row between the table and what is said about it
    for line in table.notes:
        row_index += 1
        sheet.write_string(row_index, 0, neutralise(line), bold)
    for line in extra_lines:
        row_index += 1
        sheet.write_string(row_index, 0, neutralise(line))
    last_text_row = row_index

    widths = [min(max(max(len(r.label) for r in table.all_rows()) + 2, 10), 40), *([14] * len(table.columns))]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    table_pixels = sum(int(w * 7 + 5) for w in widths)

    chart_rows = 0
    if chart is not None and table.rows:
        chart_rows = _add_chart(
            workbook,
            sheet,
            table,
            name,
            header_row,
            last_row,
            last_text_row + 2,
            chart,
            baseline_per_month,
            table_pixels,
        )
    last_printed = last_text_row + 2 + chart_rows

    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    sheet.repeat_rows(0, header_row)
    sheet.freeze_panes(header_row + 1, 1)
    sheet.print_area(0, 0, last_printed, len(table.columns))
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer("&L" + _footer_escape(heading) + "&R&P / &N")
    return SheetLayout(name, header_row, header_row + 1, last_row, total_row)


def _footer_escape(text: str) -> str:
    return text.replace("&", "&&")


def _add_chart(
    workbook: Any,
    sheet: Any,
    table: BoardTable,
    name: str,
    header_row: int,
    last_row: int,
    at_row: int,
    kind: str,
    baseline_per_month: float | None,
    width_pixels: int,
) -> int:
    """A native column chart under the table; for months, last year beside this year and the
    baseline as a line. Returns the rows it takes."""
    lang = table.lang
    columns = list(table.columns)
    first = header_row + 1
    calls_col = columns.index("calls") + 1
    chart = workbook.add_chart({"type": "column"})
    categories = [name, first, 0, last_row, 0]
    if kind == "months" and "calls_prev_year" in columns:
        prev_col = columns.index("calls_prev_year") + 1
        chart.add_series(
            {
                "name": COLUMNS["calls_prev_year"].label(lang),
                "categories": categories,
                "values": [name, first, prev_col, last_row, prev_col],
                "fill": {"color": "#9FB8CC"},
            }
        )
    chart.add_series(
        {
            "name": COLUMNS["calls"].label(lang),
            "categories": categories,
            "values": [name, first, calls_col, last_row, calls_col],
            "fill": {"color": "#1F5F8B"},
            "data_labels": {"value": True, "num_format": NUMBER_FORMATS["int"]},
        }
    )
    if kind == "months" and baseline_per_month:
        # The line's values sit in a helper column right of the print area.
        helper = len(columns) + 2
        label = ("Baslinje " if lang == "sv" else "Baseline ") + readable.number(baseline_per_month, 0, lang)
        sheet.write_string(header_row, helper, label)
        for r in range(first, last_row + 1):
            sheet.write_number(r, helper, baseline_per_month)
        line = workbook.add_chart({"type": "line"})
        line.add_series(
            {
                "name": [name, header_row, helper],
                "categories": categories,
                "values": [name, first, helper, last_row, helper],
                "line": {"color": "#D95F02", "dash_type": "dash", "width": 2},
                "marker": {"type": "none"},
            }
        )
        chart.combine(line)
    chart.set_title({"name": table.title, "name_font": {"size": 12}})
    chart.set_legend({"position": "bottom"})
    chart.set_y_axis(
        {"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#DDDDDD"}}}
    )
    chart.set_size({"width": width_pixels, "height": 340})  # as wide as the table: one page wide
    sheet.insert_chart(at_row, 0, chart)
    return 18


def write_report_xlsx(
    out: Path, table: BoardTable, through: dt.date, baseline_per_month: float | None
) -> None:
    """`report … --format xlsx`: one table, printable, with its chart."""
    write_file(out, report_xlsx_bytes(table, through, baseline_per_month))


def report_xlsx_bytes(table: BoardTable, through: dt.date, baseline_per_month: float | None) -> bytes:
    return tables_xlsx_bytes({table.title: table}, through, baseline_per_month)


def tables_xlsx_bytes(
    sheets: dict[str, BoardTable], through: dt.date, baseline_per_month: float | None
) -> bytes:
    """One printable sheet per table, each with its chart."""
    import xlsxwriter

    buffer = io.BytesIO()
    used: list[str] = []
    with xlsxwriter.Workbook(buffer) as workbook:
        _document_properties(workbook, next(iter(sheets.values())).title if sheets else "")
        for name, table in sheets.items():
            used.append(sheet_name(name, used))
            write_table_sheet(
                workbook,
                table,
                name=used[-1],
                heading=report_heading(table),
                through=through,
                chart="months" if table.kind == "year_months" else "weeks",
                baseline_per_month=baseline_per_month,
            )
    return buffer.getvalue()


def write_file(path: Path, data: bytes) -> None:
    """Write a new or existing plain file, never through a symbolic link (O_NOFOLLOW): a link planted
    at the output path could otherwise redirect the write to any file the user may change."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if path.is_symlink():
            raise UsageError(f"{path}: is a symbolic link; callstats does not write through links") from None
        raise UsageError(f"{path}: cannot write ({exc.strerror})") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def report_heading(table: BoardTable) -> str:
    what = {
        ("month_weeks", "sv"): "Samtal per vecka",
        ("month_weeks", "en"): "Calls per week",
        ("year_weeks", "sv"): "Samtal per vecka",
        ("year_weeks", "en"): "Calls per week",
        ("year_months", "sv"): "Samtal per månad",
        ("year_months", "en"): "Calls per month",
    }[(table.kind, table.lang)]
    return (
        f"Växel – {what.lower()}, {table.title}"
        if table.lang == "sv"
        else f"Switchboard – {what.lower()}, {table.title}"
    )


def _document_properties(workbook: Any, title: str) -> None:
    workbook.set_properties({"title": title, "comments": "callstats"})
