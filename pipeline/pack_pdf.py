"""The pack as a PDF, drawn offline by reportlab (pure Python, installed by `uv sync`; no office
suite needed on the machine). A4 landscape, two pages: the slide's tables, chart and sentences;
then the weekly trend and the events.

The fonts are the Bitstream Vera faces that ship inside reportlab, so å, ä, ö, the en dash and the
minus sign print the same on every machine.
"""

from __future__ import annotations

import io
import os
from typing import Any

from pipeline import board, readable
from pipeline.board import COLUMNS, BoardTable
from pipeline.pack import Pack
from pipeline.pack_pptx import SLIDE_MONTH_COLUMNS, SLIDE_WEEK_COLUMNS

THIS_YEAR = "#1F5F8B"
PREV_YEAR = "#9FB8CC"
BASELINE = "#D95F02"
HEADER_FILL = "#DCE6F1"


def _fonts() -> tuple[str, str]:
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "Vera" not in pdfmetrics.getRegisteredFontNames():
        folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
        pdfmetrics.registerFont(TTFont("Vera", os.path.join(folder, "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("VeraBd", os.path.join(folder, "VeraBd.ttf")))
    return "Vera", "VeraBd"


def render(pack: Pack) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as Grid

    regular, bold = _fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.2 * cm,
        bottomMargin=1.2 * cm,
        title=pack.title,
        subject=f"{pack.org_text()}, {pack.through_text()}",
        creator="callstats",
    )
    styles = _styles(regular, bold)
    lang = pack.lang
    story: list[Any] = [*_heading(pack, pack.title, styles)]
    weeks = _grid(pack.weeks, SLIDE_WEEK_COLUMNS, regular, bold, 9.5, [4.3, 2.7, 1.7, 2.6])
    months = _grid(pack.months, SLIDE_MONTH_COLUMNS, regular, bold, 8.5, [3.3, 1.6, 2.5, 2.3, 2.5, 2.7])
    weeks_title = ("Veckorna i " if lang == "sv" else "The weeks of ") + readable.month_label(
        pack.year, pack.month, lang
    )
    months_title = (
        f"Månaderna {pack.year} mot {pack.year - 1}"
        if lang == "sv"
        else f"The months of {pack.year} against {pack.year - 1}"
    )
    from reportlab.platypus import Paragraph

    left = [Paragraph(weeks_title, styles["h2"]), weeks, Spacer(1, 0.3 * cm), _months_chart(pack, regular)]
    right: list[Any] = [Paragraph(months_title, styles["h2"]), months, Spacer(1, 0.3 * cm)]
    right += [Paragraph(_escape(line), styles["body"]) for line in pack.sentences()]
    right += [Paragraph(_escape(f"{c.kind_label(lang)}: {c.text}"), styles["body"]) for c in pack.comments]
    layout = Grid([[left, right]], colWidths=[11.3 * cm, 15.2 * cm])
    layout.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    story.append(layout)
    story.append(PageBreak())
    title = "Veckotrend och händelser" if lang == "sv" else "Weekly trend and events"
    story += _heading(pack, f"{title} – {readable.month_label(pack.year, pack.month, lang)}", styles)
    story.append(_trend_chart(pack, regular))
    story.append(Spacer(1, 0.4 * cm))
    story.append(Paragraph("Händelser" if lang == "sv" else "Events", styles["h2"]))
    listed = [*pack.comments, *pack.events]
    if not listed:
        none = (
            "Inga händelser registrerade för månaden."
            if lang == "sv"
            else "No events recorded for the month."
        )
        story.append(Paragraph(none, styles["body"]))
    for event in listed:
        text = f"{event.span()} – {event.kind_label(lang)}: {event.text}"
        if event.organisation:
            text += f" ({event.organisation})"
        story.append(Paragraph(_escape(text), styles["body"]))
    doc.build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _styles(regular: str, bold: str) -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    return {
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=20, leading=24, spaceAfter=2),
        "sub": ParagraphStyle("sub", fontName=regular, fontSize=11, leading=14, spaceAfter=10),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=12, leading=15, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=14, spaceAfter=4),
    }


def _heading(pack: Pack, title: str, styles: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import Paragraph

    return [
        Paragraph(_escape(title), styles["h1"]),
        Paragraph(_escape(f"{pack.org_text()} · {pack.through_text()}"), styles["sub"]),
    ]


def _grid(
    table: BoardTable, columns: tuple[str, ...], regular: str, bold: str, size: float, widths: list[float]
) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table as Grid

    headers = [board.PERIOD[table.lang], *(COLUMNS[c].label(table.lang) for c in columns)]
    rows: list[list[Any]] = [
        [row.label, *(board.cell_text(row.values.get(c), COLUMNS[c].kind, table.lang) for c in columns)]
        for row in table.all_rows()
    ]
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    head_style = ParagraphStyle("head", fontName=bold, fontSize=size - 1.5, leading=size - 0.5, alignment=2)
    header_cells = [headers[0], *(Paragraph(h, head_style) for h in headers[1:])]
    from reportlab.lib.units import cm

    # Labels wrap inside their column ("februari 2017 t.o.m. 21 feb") instead of running over figures.
    label_style = ParagraphStyle("label", fontName=regular, fontSize=size, leading=size + 2)
    total_style = ParagraphStyle("total", parent=label_style, fontName=bold)
    last = len(rows) - 1
    for index, row in enumerate(rows):
        is_total = table.total is not None and index == last
        row[0] = Paragraph(_escape(row[0]), total_style if is_total else label_style)
    grid = Grid([header_cells, *rows], repeatRows=1, hAlign="LEFT", colWidths=[w * cm for w in widths])
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), regular, size),
        ("FONT", (0, 0), (-1, 0), bold, size - 0.5),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_FILL)),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if table.total is not None:
        style += [
            ("FONT", (0, -1), (-1, -1), bold, size),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
            ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor(HEADER_FILL)),
        ]
    grid.setStyle(style)
    return grid


def _months_chart(pack: Pack, font: str) -> Any:
    """Columns for last year and this year per month, the baseline as a dashed line."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, Line
    from reportlab.lib import colors
    from reportlab.lib.units import cm

    lang = pack.lang
    rows = pack.months.rows
    this = [float(r.values.get("calls") or 0) for r in rows]
    prev = [float(r.values.get("calls_prev_year") or 0) for r in rows]
    width, height = 11 * cm, 7 * cm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 1.3 * cm, 1.6 * cm, width - 1.6 * cm, height - 2.0 * cm
    chart.data = [prev, this]
    top = max([*this, *prev, pack.baseline_per_month or 0]) * 1.12 or 1
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: readable.number(v, 0, lang)
    chart.categoryAxis.categoryNames = [readable.MONTHS_SHORT[lang][(r.month or 1) - 1] for r in rows]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor(PREV_YEAR)
    chart.bars[1].fillColor = colors.HexColor(THIS_YEAR)
    chart.bars.strokeColor = None
    drawing.add(chart)
    legend_items = [
        (colors.HexColor(PREV_YEAR), str(pack.year - 1)),
        (colors.HexColor(THIS_YEAR), str(pack.year)),
    ]
    if pack.baseline_per_month:
        y = chart.y + chart.height * pack.baseline_per_month / top
        drawing.add(
            Line(
                chart.x,
                y,
                chart.x + chart.width,
                y,
                strokeColor=colors.HexColor(BASELINE),
                strokeWidth=1.5,
                strokeDashArray=[4, 3],
            )
        )
        label = ("Baslinje " if lang == "sv" else "Baseline ") + readable.number(pack.baseline_per_month, 0, lang)
        legend_items.append((colors.HexColor(BASELINE), label))
    legend = Legend()
    legend.x, legend.y = chart.x, 0.5 * cm
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = font
    legend.fontSize = 8
    legend.colorNamePairs = legend_items
    drawing.add(legend)
    return drawing


def _trend_chart(pack: Pack, font: str) -> Any:
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.units import cm

    lang = pack.lang
    rows = pack.trend.sort("week_start").to_dicts()
    width, height = 26 * cm, 9.5 * cm
    drawing = Drawing(width, height)
    if not rows:
        return drawing
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 1.5 * cm, 2.6 * cm, width - 2 * cm, height - 3.0 * cm
    this = [float(r["calls"]) for r in rows]
    prev = [float(r["calls_prev_year"]) if r["calls_prev_year"] is not None else None for r in rows]
    chart.data = [prev, this]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([*this, *(p for p in prev if p is not None)]) * 1.15
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = lambda v: readable.number(v, 0, lang)
    chart.categoryAxis.categoryNames = [board.week_row_label(r, lang) for r in rows]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.lines[0].strokeColor = colors.HexColor(PREV_YEAR)
    chart.lines[1].strokeColor = colors.HexColor(THIS_YEAR)
    chart.lines[0].strokeWidth = chart.lines[1].strokeWidth = 2
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = chart.x, 0.3 * cm
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = font
    legend.fontSize = 8
    same = "Samma vecka föregående år" if lang == "sv" else "Same week last year"
    legend.colorNamePairs = [
        (colors.HexColor(PREV_YEAR), same),
        (colors.HexColor(THIS_YEAR), "Samtal" if lang == "sv" else "Calls"),
    ]
    drawing.add(legend)
    return drawing
