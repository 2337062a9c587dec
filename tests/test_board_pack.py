"""The board's pack for a month: the workbook, the slide deck and the PDF hold the board's figures,
with the number formats, print setup and labels a board member prints and presents."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation
from pypdf import PdfReader

from pipeline.cli import main

DECEMBER_WEEKS = [
    ("v. 48 (1–4 dec, 2 dagar)", 771),
    ("v. 49", 1884),
    ("v. 50", 1664),
    ("v. 51 (4,5 dagar)", 1236),
    ("v. 52 (26–31 dec, 3,5 dagar)", 692),
    ("Summa december 2016", 6247),
]
STEM = "vaxel-statistik-{month}-hela-vaxeln"


@pytest.fixture(scope="module")
def packs(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pack")
    for month in ("2016-12", "2017-02"):
        assert main(["report", "board", "--month", month, "--out", str(out), "--db", str(sample_db)]) == 0
    return out


def _file(packs: Path, month: str, ext: str) -> Path:
    return packs / f"{STEM.format(month=month)}.{ext}"


def _plain(text: str) -> str:
    """Every run of spaces (thin, no-break, a wrapped line) as one plain space, so '1 884' and
    'Summa december 2016' are found however they were set."""
    return re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text)


def test_file_names_say_month_and_organisation(packs: Path) -> None:
    names = sorted(p.name for p in packs.iterdir())
    assert names == sorted(
        f"{STEM.format(month=m)}.{ext}" for m in ("2016-12", "2017-02") for ext in ("pptx", "xlsx", "pdf")
    )


def test_workbook_weeks_of_december_with_formats_and_print_setup(packs: Path) -> None:
    book = openpyxl.load_workbook(_file(packs, "2016-12", "xlsx"))
    sheet = book["Veckor"]
    assert sheet["A1"].value == "Växel – statistik december 2016 – veckor"
    assert sheet["A2"].value == "Organisation: hela växeln"
    assert sheet["A3"].value == "data t.o.m. 21 februari 2017"
    assert [c.value for c in sheet[5]] == [
        "Period",
        "Arbetsdagar",
        "Samtal",
        "Per arbetsdag",
        "Svarsfrekvens",
    ]
    rows = [(r[0].value, r[2].value) for r in sheet.iter_rows(min_row=6, max_row=11)]
    assert rows == DECEMBER_WEEKS
    assert sheet["B10"].value == 3.5 and sheet["B9"].value == 4.5  # working days as numbers
    assert "#,##0" in sheet["C6"].number_format  # whole numbers whole
    assert sheet["E6"].number_format.endswith("0.0 %") and sheet["E6"].value == pytest.approx(0.9, abs=0.0005)
    assert sheet["A11"].font.b  # the Summa row stands out
    setup = sheet.page_setup
    # fitToWidth is left out of the file when it is 1, its default.
    assert (setup.orientation, setup.paperSize, setup.fitToWidth or 1, setup.fitToHeight) == (
        "landscape",
        9,
        1,
        0,
    )
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$5"
    assert sheet.freeze_panes == "B6"


def test_workbook_months_summa_row_is_complete(packs: Path) -> None:
    sheet = openpyxl.load_workbook(_file(packs, "2016-12", "xlsx"))["Månader"]
    header = [c.value for c in sheet[5]][:9]
    assert header == [
        "Period",
        "Arbetsdagar",
        "Samtal",
        "Per arbetsdag",
        "Svarsfrekvens",
        "Föregående år",
        "Förändring",
        "Förändring per arbetsdag",
        "Baslinje",
    ]
    total = [c.value for c in sheet[18]][:9]
    assert total[0] == "Summa 2016"
    assert (total[2], total[5]) == (93600, 90985)
    assert total[6] == pytest.approx(0.029)  # +2,9 %, a share under a percent format
    assert total[4] == pytest.approx(0.882, abs=0.0005)
    assert total[8] == 93600
    assert sheet["G18"].number_format.endswith("+0.0 %;-0.0 %;0.0 %")
    assert sheet["I6"].number_format.endswith("#,##0") and sheet["I6"].value == 6940  # baseline whole
    assert sheet["A20"].value == "Genomsnittet för 2016 är 7\u00a0800 samtal/månad (baslinje 7\u00a0800)."


def test_workbook_has_native_charts_with_the_baseline_line(packs: Path) -> None:
    with zipfile.ZipFile(_file(packs, "2016-12", "xlsx")) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2
    assert any("<c:barChart>" in c and "<c:lineChart>" in c and "Baslinje 7" in c for c in charts)


def test_workbook_february_like_for_like(packs: Path) -> None:
    sheet = openpyxl.load_workbook(_file(packs, "2017-02", "xlsx"))["Månader"]
    rows = [[c.value for c in r][:7] for r in sheet.iter_rows(min_row=6, max_row=8)]
    assert rows[0][0] == "januari 2017" and (rows[0][2], rows[0][5]) == (6370, 6331)
    assert rows[1][0] == "februari 2017 t.o.m. 21 feb" and (rows[1][2], rows[1][5]) == (4270, 4730)
    assert rows[2][0] == "Summa 2017 t.o.m. 21 feb" and (rows[2][2], rows[2][5]) == (10640, 11061)


def _slide_tables(path: Path, slide: int = 0) -> list[list[list[str]]]:
    deck = Presentation(str(path))
    shapes = deck.slides[slide].shapes
    return [
        [[cell.text for cell in row.cells] for row in shape.table.rows] for shape in shapes if shape.has_table
    ]


def test_slides_december(packs: Path) -> None:
    path = _file(packs, "2016-12", "pptx")
    weeks, months = _slide_tables(path)
    assert [(r[0], int(r[2].replace("\u00a0", ""))) for r in weeks[1:]] == DECEMBER_WEEKS
    assert months[-1][:4] == ["Summa 2016", "93\u00a0600", "90\u00a0985", "+2,9\u00a0%"]
    deck = Presentation(str(path))
    texts = [s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame]
    assert "Växel – statistik december 2016" in texts
    assert any("Genomsnittet för 2016 är 7\u00a0800 samtal/månad" in t for t in texts)
    chart = next(s.chart for s in deck.slides[0].shapes if s.has_chart)
    kinds = [type(p).__name__ for p in chart.plots]
    assert kinds == ["BarPlot", "LinePlot"]  # columns and the baseline line on the same axes
    assert list(chart.plots[0].series[1].values)[-1] == 6247
    assert set(chart.plots[1].series[0].values) == {7800}
    assert len(deck.slides) == 2 and any(s.has_chart for s in deck.slides[1].shapes)


def test_slides_february_like_for_like(packs: Path) -> None:
    _weeks, months = _slide_tables(_file(packs, "2017-02", "pptx"))
    assert months[1][:3] == ["januari 2017", "6\u00a0370", "6\u00a0331"]
    assert months[2][:3] == ["februari 2017 t.o.m. 21 feb", "4\u00a0270", "4\u00a0730"]


def _pdf_text(path: Path) -> str:
    return _plain("\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages))


def _assert_board_figures(december: str, february: str) -> None:
    for label, calls in DECEMBER_WEEKS:
        assert label.split(" (")[0] in december
        assert f"{calls:,}".replace(",", " ") in december
    for figure in ("6 370", "6 331", "4 270", "4 730", "t.o.m. 21 feb"):
        assert figure in february


def test_the_packs_own_pdf_holds_the_figures(packs: Path) -> None:
    _assert_board_figures(
        _pdf_text(_file(packs, "2016-12", "pdf")), _pdf_text(_file(packs, "2017-02", "pdf"))
    )
    assert len(PdfReader(str(_file(packs, "2016-12", "pdf"))).pages) == 2


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it"
)
@pytest.mark.parametrize("ext", ["xlsx", "pptx"])
def test_libreoffice_prints_the_figures(packs: Path, tmp_path: Path, ext: str) -> None:
    texts = {}
    for month in ("2016-12", "2017-02"):
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp_path}/profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(_file(packs, month, ext)),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        texts[month] = _pdf_text(tmp_path / f"{STEM.format(month=month)}.pdf")
    _assert_board_figures(texts["2016-12"], texts["2017-02"])
    assert "Summa 2016" in texts["2016-12"] and "90 985" in texts["2016-12"] and "+2,9 %" in texts["2016-12"]
