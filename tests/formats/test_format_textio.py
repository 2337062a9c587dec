"""Dirty-file helpers: decoding fallbacks, delimiters, numbers, dates and phone numbers."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.formats import textio
from pipeline.formats.base import ReadLimits


def test_decode_falls_back_per_line() -> None:
    assert textio.decode("Åsa".encode()) == "Åsa"
    assert textio.decode("Åsa".encode("cp1252")) == "Åsa"
    assert textio.decode(b"\x81x") == "\x81x"  # undefined in cp1252: latin-1 keeps the byte


def test_records_mixed_encodings_bom_crlf_no_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\r\n" + '"Ö""x",1\r\n'.encode("cp1252") + b'"multi\r\nline",2')
    records = list(textio.iter_records(path, multiline=True))
    assert [r.fields for r in records] == [["a", "b"], ['Ö"x', "1"], ["multi\nline", "2"]]
    assert [r.line_no for r in records] == [1, 2, 3]
    assert records[2].raw == '"multi\nline",2'


def test_line_numbers_skip_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("a\n\nb\n")
    assert [(r.line_no, r.fields) for r in textio.iter_records(path)] == [(1, ["a"]), (3, ["b"])]


def test_sniff_delimiter() -> None:
    assert textio.sniff_delimiter("a;b;c") == ";"
    assert textio.sniff_delimiter("a\tb\tc") == "\t"
    assert textio.sniff_delimiter('"x,y";b;c') == ";"
    assert textio.sniff_delimiter("a|b") == "|"


def test_numbers_and_durations() -> None:
    values = pl.DataFrame({"v": ["12", "12,5", "0.4", "00:01:12", "1:02:03", "", "x"]})
    assert values.select(textio.to_int("v")).to_series().to_list() == [12, 13, 0, 72, 3723, None, None]


def test_spreadsheet_dates() -> None:
    values = pl.DataFrame(
        {"t": ["2020/2/10 22:41", "2020-02-10 22:41:05", "2020/02/10 22:41:05", "10/2/2020"]}
    )
    out = values.select(textio.ts_text("t", utc=False))["t"].to_list()
    assert out == ["2020-02-10 22:41:00", "2020-02-10 22:41:05", "2020-02-10 22:41:05", "10/2/2020"]


def test_an_open_quote_ends_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text('a,"cut off\nb,2\nc,3\n')
    records = list(textio.iter_records(path))
    assert [(r.line_no, r.fields) for r in records] == [
        (1, ["a", "cut off\n"]),
        (2, ["b", "2"]),
        (3, ["c", "3"]),
    ]


def test_multiline_quote_that_never_ends_costs_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text('a,"never closed\n' + "".join(f"r{i},{i}\n" for i in range(30)))
    limits = ReadLimits(record_lines=5)
    records = list(textio.iter_records(path, multiline=True, limits=limits))
    assert (records[0].line_no, records[0].issue) == (1, "unterminated quote: the quoted field never ends")
    assert [r.fields for r in records[1:]] == [[f"r{i}", str(i)] for i in range(30)]
    assert [r.line_no for r in records[1:]] == list(range(2, 32))


def test_nul_runs_split_a_line_into_debris_and_the_record_after_it(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,1\n" + b"\x00" * 5 + b"b,2\nc,\x00\x00\x00d,4\n")
    found = [(r.line_no, r.fields, r.issue) for r in textio.iter_records(path)]
    assert found == [
        (1, ["a", "1"], None),
        (2, [], "crash debris: 5 NUL bytes (a write cut off by a crash or power loss)"),
        (2, ["b", "2"], None),
        (3, [], "record cut short by crash debris (NUL bytes)"),
        (3, [], "crash debris: 3 NUL bytes (a write cut off by a crash or power loss)"),
        (3, ["d", "4"], None),
    ]


def test_a_bare_carriage_return_costs_its_record(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,1\nb,x\ry,2\nc,3\n")
    found = [(r.line_no, r.fields, r.issue) for r in textio.iter_records(path)]
    assert found == [
        (1, ["a", "1"], None),
        (2, [], "unreadable record: a carriage return inside an unquoted field"),
        (3, ["c", "3"], None),
    ]


def test_classic_mac_line_endings(tmp_path: Path) -> None:
    """Excel's "CSV (Macintosh)" ends lines in CR alone."""
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,1\r\rb,2\rc,3")
    assert [(r.line_no, r.fields) for r in textio.iter_records(path)] == [
        (1, ["a", "1"]),
        (3, ["b", "2"]),
        (4, ["c", "3"]),
    ]
