"""Dirty-file helpers: decoding fallbacks, delimiters, numbers, dates and phone numbers."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.formats import textio


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


def test_phone_number_matching() -> None:
    assert textio.digits("+46 513-170 00") == textio.digits("0513-170 00") == "051317000"
    frame = pl.DataFrame({"n": ["+4651317000", "004651317000", "051317000", "51317000", None]})
    matches = frame.select(textio.number_matches(pl.col("n"), ["0513-170 00"])).to_series().to_list()
    assert matches == [True, True, True, False, False]
