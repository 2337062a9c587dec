"""The pack's workbook: the weeks of the month and the months of the year, each a printable sheet
with its chart, and the month's events (pipeline.board_files does the printing layout)."""

from __future__ import annotations

import io
from typing import Any

from pipeline import board_files
from pipeline.pack import Pack


def render(pack: Pack) -> bytes:
    import xlsxwriter

    lang = pack.lang
    names = ("Veckor", "Månader", "Händelser") if lang == "sv" else ("Weeks", "Months", "Events")
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer) as workbook:
        workbook.set_properties(
            {"title": pack.title, "subject": pack.org_text(), "comments": pack.through_text()}
        )
        comments = [f"{c.kind_label(lang)}: {c.text}" for c in pack.comments]
        board_files.write_table_sheet(
            workbook,
            pack.weeks,
            name=names[0],
            heading=f"{pack.title} – {names[0].lower()}",
            through=pack.through,
            chart="weeks",
            extra_lines=comments,
        )
        previous = [pack.previous_year.sentence(lang)] if pack.previous_year else []
        board_files.write_table_sheet(
            workbook,
            pack.months,
            name=names[1],
            heading=f"{pack.title} – {names[1].lower()}",
            through=pack.through,
            chart="months",
            baseline_per_month=pack.baseline_per_month,
            extra_lines=previous,
        )
        _events_sheet(workbook, pack, names[2])
    return buffer.getvalue()


def _events_sheet(workbook: Any, pack: Pack, name: str) -> None:
    lang = pack.lang
    sheet = workbook.add_worksheet(name)
    bold = workbook.add_format({"bold": True, "bottom": 1, "bg_color": "#DCE6F1"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.write_string(
        0,
        0,
        board_files.neutralise(f"{pack.title} – {name.lower()}"),
        workbook.add_format({"bold": True, "font_size": 14}),
    )
    sheet.write_string(1, 0, f"Organisation: {board_files.neutralise(pack.org_text())}")
    sheet.write_string(2, 0, pack.through_text())
    headers = (
        ("Datum", "Organisation", "Slag", "Text")
        if lang == "sv"
        else ("Date", "Organisation", "Kind", "Text")
    )
    for col, header in enumerate(headers):
        sheet.write_string(4, col, header, bold)
    row = 4
    for event in (*pack.comments, *pack.events):
        row += 1
        sheet.write_string(row, 0, event.span(), wrap)
        sheet.write_string(row, 1, board_files.neutralise(event.organisation or pack.org_text()), wrap)
        sheet.write_string(row, 2, event.kind_label(lang), wrap)
        sheet.write_string(row, 3, board_files.neutralise(event.text), wrap)
    if row == 4:
        sheet.write_string(5, 0, "Inga händelser denna månad." if lang == "sv" else "No events this month.")
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 2, 16)
    sheet.set_column(3, 3, 70)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, 4)
    sheet.freeze_panes(5, 0)
