"""The pack's slide deck: native PowerPoint tables and charts (editable in PowerPoint and Impress),
so the slides drop into the board's own deck.

Slide 1: the weeks of the month, the months of the year against last year with the Summa row, a
chart of the months with the baseline as a line, the year's average and the month's commentary.
Slide 2: the weekly trend beside last year, and the events that touch the month.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Sequence
from typing import Any

from pipeline import board, readable
from pipeline.board import COLUMNS, BoardTable
from pipeline.pack import Pack

THIS_YEAR = "1F5F8B"
PREV_YEAR = "9FB8CC"
BASELINE = "D95F02"
HEADER_FILL = "DCE6F1"
NUMBER_FORMAT = "[$-41D]#,##0"  # Swedish separators in Impress as in a Swedish PowerPoint
SLIDE_MONTH_COLUMNS = (
    "calls",
    "calls_prev_year",
    "calls_yoy_pct",
    "calls_per_workday_yoy_pct",
    "answer_rate",
)
SLIDE_WEEK_COLUMNS = ("workdays", "calls", "calls_per_workday")


def render(pack: Pack) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    deck.core_properties.title = pack.title
    deck.core_properties.subject = f"{pack.org_text()}, {pack.through_text()}"
    blank = deck.slide_layouts[6]
    _first_slide(deck.slides.add_slide(blank), pack)
    _second_slide(deck.slides.add_slide(blank), pack)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _text(
    slide: Any,
    left: float,
    top: float,
    width: float,
    height: float,
    lines: Sequence[str],
    size: int,
    bold_first: bool = False,
) -> Any:
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(size)
        paragraph.font.bold = bold_first and i == 0
    return box


def _heading(slide: Any, pack: Pack, title: str) -> None:
    _text(slide, 0.5, 0.3, 12.3, 0.6, [title], 28, bold_first=True)
    _text(slide, 0.5, 0.9, 12.3, 0.4, [f"{pack.org_text()} · {pack.through_text()}"], 14)


def _table(
    slide: Any,
    table: BoardTable,
    columns: Sequence[str],
    left: float,
    top: float,
    width: float,
    size: int,
    label_width: float,
) -> Any:
    """A native table of the board table's chosen columns, the Summa row in bold."""
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    rows = table.all_rows()
    row_height = 0.3 if size >= 12 else 0.26
    shape = slide.shapes.add_table(
        len(rows) + 1,
        len(columns) + 1,
        Inches(left),
        Inches(top),
        Inches(width),
        Inches(row_height * (len(rows) + 1)),
    )
    grid = shape.table
    grid.first_row = True
    grid.columns[0].width = Inches(label_width)
    for col in range(1, len(columns) + 1):
        grid.columns[col].width = Inches((width - label_width) / len(columns))
    headers = [board.PERIOD[table.lang], *(COLUMNS[c].label(table.lang) for c in columns)]
    body = [
        [row.label, *(board.cell_text(row.values.get(c), COLUMNS[c].kind, table.lang) for c in columns)]
        for row in rows
    ]
    for r, cells in enumerate([headers, *body]):
        grid.rows[r].height = Inches(row_height)
        is_total = table.total is not None and r == len(rows)
        for c, value in enumerate(cells):
            cell = grid.cell(r, c)
            cell.text = value
            cell.margin_left = cell.margin_right = Inches(0.05)
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.font.size = Pt(8 if r == 0 else size)
            paragraph.font.bold = r == 0 or is_total
            paragraph.alignment = PP_ALIGN.LEFT if c == 0 else PP_ALIGN.RIGHT
            cell.fill.solid()
            cell.fill.fore_color.rgb = RGBColor.from_string(HEADER_FILL if r == 0 or is_total else "FFFFFF")
            paragraph.font.color.rgb = RGBColor.from_string("000000")
    return shape


def _first_slide(slide: Any, pack: Pack) -> None:
    lang = pack.lang
    _heading(slide, pack, pack.title)
    weeks_title = ("Veckorna i " if lang == "sv" else "The weeks of ") + readable.month_label(
        pack.year, pack.month, lang
    )
    _text(slide, 0.5, 1.35, 5.4, 0.35, [weeks_title], 14, bold_first=True)
    _table(slide, pack.weeks, SLIDE_WEEK_COLUMNS, 0.5, 1.75, 5.4, 11, label_width=2.3)
    months_title = (
        f"Månaderna {pack.year} mot {pack.year - 1}"
        if lang == "sv"
        else f"The months of {pack.year} against {pack.year - 1}"
    )
    _text(slide, 6.1, 1.35, 6.8, 0.35, [months_title], 14, bold_first=True)
    _table(
        slide,
        pack.months,
        SLIDE_MONTH_COLUMNS,
        6.1,
        1.75,
        6.9,
        10 if len(pack.months.rows) > 6 else 12,
        label_width=1.75,
    )
    # Header rows wrap to two lines; leave room for them.
    weeks_bottom = 1.75 + 0.3 * (len(pack.weeks.all_rows()) + 1) + 0.25
    _months_chart(slide, pack, 0.5, weeks_bottom + 0.2, 5.4, 7.2 - weeks_bottom - 0.2)
    months_bottom = (
        1.75 + (0.26 if len(pack.months.rows) > 6 else 0.3) * (len(pack.months.all_rows()) + 1) + 0.45
    )
    lines = pack.sentences()
    lines += [f"{c.kind_label(lang)}: {c.text}" for c in pack.comments]
    _text(slide, 6.2, months_bottom + 0.2, 6.7, 7.2 - months_bottom - 0.2, lines, 13)


def _months_chart(slide: Any, pack: Pack, left: float, top: float, width: float, height: float) -> None:
    """This year's months beside last year's as columns, the baseline per month as a dashed line."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    lang = pack.lang
    rows = pack.months.rows
    data = CategoryChartData(number_format=NUMBER_FORMAT)
    data.categories = [
        readable.MONTHS_SHORT[lang][(r.month or 1) - 1]
        + ("" if r.is_complete or r.last_date is None else f" ({readable.through_label(r.last_date, lang)})")
        for r in rows
    ]
    data.add_series(str(pack.year - 1), [r.values.get("calls_prev_year") for r in rows])
    data.add_series(str(pack.year), [r.values.get("calls") for r in rows])
    if pack.baseline_per_month:
        name = ("Baslinje " if lang == "sv" else "Baseline ") + readable.number(pack.baseline_per_month, 0, lang)
        data.add_series(name, [pack.baseline_per_month] * len(rows))
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(left), Inches(top), Inches(width), Inches(height), data
    )
    chart = frame.chart
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(10)
    chart.font.size = Pt(10)
    chart.value_axis.tick_labels.number_format = NUMBER_FORMAT
    chart.value_axis.tick_labels.number_format_is_linked = False
    series = chart.plots[0].series
    _colour(series[0], PREV_YEAR)
    _colour(series[1], THIS_YEAR)
    if pack.baseline_per_month:
        _as_line(chart, series[2], BASELINE)


def _colour(series: Any, rgb: str) -> None:
    from pptx.dml.color import RGBColor

    series.format.fill.solid()
    series.format.fill.fore_color.rgb = RGBColor.from_string(rgb)


def _as_line(chart: Any, series: Any, rgb: str) -> None:
    """Move a series of a column chart into a line chart on the same axes (a combination chart,
    which python-pptx does not build itself): the baseline reads as a line across the months."""
    from pptx.dml.color import RGBColor
    from pptx.enum.dml import MSO_LINE_DASH_STYLE
    from pptx.oxml.ns import qn
    from pptx.oxml.xmlchemy import OxmlElement
    from pptx.util import Pt

    series.format.line.color.rgb = RGBColor.from_string(rgb)
    series.format.line.width = Pt(2.25)
    series.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    ser = series._element
    bar = ser.getparent()
    bar.remove(ser)
    for name in ("c:invertIfNegative", "c:shape"):
        for child in ser.findall(qn(name)):
            ser.remove(child)
    marker = OxmlElement("c:marker")
    symbol = OxmlElement("c:symbol")
    symbol.set("val", "none")
    marker.append(symbol)
    sp_pr = ser.find(qn("c:spPr"))
    (sp_pr if sp_pr is not None else ser.find(qn("c:tx"))).addnext(marker)
    smooth = OxmlElement("c:smooth")
    smooth.set("val", "0")
    ser.append(smooth)
    line = OxmlElement("c:lineChart")
    for tag, value in (("c:grouping", "standard"), ("c:varyColors", "0")):
        element = OxmlElement(tag)
        element.set("val", value)
        line.append(element)
    line.append(ser)
    flag = OxmlElement("c:marker")
    flag.set("val", "1")
    line.append(flag)
    for axis in bar.findall(qn("c:axId")):
        line.append(copy.deepcopy(axis))
    bar.addnext(line)


def _second_slide(slide: Any, pack: Pack) -> None:
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    lang = pack.lang
    title = "Veckotrend och händelser" if lang == "sv" else "Weekly trend and events"
    _heading(slide, pack, f"{title} – {readable.month_label(pack.year, pack.month, lang)}")
    rows = pack.trend.sort("week_start").to_dicts()
    if rows:
        data = CategoryChartData(number_format=NUMBER_FORMAT)
        data.categories = [board.week_row_label(r, lang) for r in rows]
        data.add_series(
            "Samma vecka föregående år" if lang == "sv" else "Same week last year",
            [r["calls_prev_year"] for r in rows],
        )
        data.add_series("Samtal" if lang == "sv" else "Calls", [r["calls"] for r in rows])
        frame = slide.shapes.add_chart(
            XL_CHART_TYPE.LINE_MARKERS, Inches(0.5), Inches(1.5), Inches(7.6), Inches(5.6), data
        )
        chart = frame.chart
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.font.size = Pt(10)
        chart.value_axis.tick_labels.number_format = NUMBER_FORMAT
        chart.value_axis.tick_labels.number_format_is_linked = False
        from pptx.dml.color import RGBColor

        for series, rgb in zip(chart.plots[0].series, (PREV_YEAR, THIS_YEAR), strict=True):
            series.format.line.color.rgb = RGBColor.from_string(rgb)
            series.format.line.width = Pt(2.5)
            series.smooth = False
    heading = "Händelser" if lang == "sv" else "Events"
    lines = [heading]
    listed = [*pack.comments, *pack.events]
    if listed:
        lines += [f"{e.span()} – {e.kind_label(lang)}: {e.text}" for e in listed]
    else:
        lines.append(
            "Inga händelser registrerade för månaden."
            if lang == "sv"
            else "No events recorded for the month."
        )
    box = _text(slide, 8.4, 1.5, 4.5, 5.6, lines, 13, bold_first=True)
    box.text_frame.paragraphs[0].font.size = Pt(16)
