"""Broken input: every file gives quarantined rows (line number and reason) or a one-line file error;
no traceback, nothing of a rejected file is loaded, the good files of the same run still load, and no
nonsense value is silently corrected."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import duckdb
import pytest
from rel_helpers import HEADER, call_line, run_cli, write_csv

from pipeline.ingest import ingest
from tests.conftest import settings_for

GOOD = [call_line("good-1", 1), call_line("good-2", 2), call_line("good-3", 3)]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("calls.csv", HEADER + "\n" + call_line("zipped", 4) + "\n")
    return buffer.getvalue()


def _text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


# name → (file name, bytes, expectation). Expectations:
#   "file": the whole file fails with one line, nothing of it is loaded;
#   ("rows", n_rejected, reason_fragment, n_loaded): the file loads its good rows, n rows quarantined.
CASES: dict[str, tuple[str, bytes, object]] = {
    "empty": ("empty.csv", b"", "file"),
    "only_newlines": ("newlines.csv", b"\n\n\n", "file"),
    "header_only": ("header-only.csv", _text(HEADER), ("rows", 0, "", 0)),
    "header_without_required": ("no-outcome.csv", _text("call_id,started_at", "a,2016-03-01T10:00:00+01:00"), "file"),
    "duplicate_header_column": (
        "dup-col.csv",
        _text("call_id,started_at,outcome,outcome", "a,2016-03-01T10:00:00+01:00,answered,answered"),
        "file",
    ),
    "binary_garbage": ("garbage.csv", bytes(range(256)) * 40, "file"),
    "binary_garbage_bin": ("garbage.bin", bytes((i * 97 + 13) % 256 for i in range(5000)), "file"),
    "nul_bytes_only": ("nuls.csv", b"\x00" * 4096, "file"),
    "nul_in_a_row": (
        "nul-row.csv",
        _text(HEADER, call_line("n-1", 5)) + call_line("n\x00-2", 6).encode() + b"\n",
        ("rows", 1, "NUL byte", 1),
    ),
    "truncated_last_line": (
        "truncated.csv",
        _text(HEADER, call_line("t-1", 7)) + b"t-2,2016-03-08T10:00",
        ("rows", 1, "", 1),
    ),
    "too_few_fields": ("few.csv", _text(HEADER, call_line("f-1", 9), "f-2,2016-03-10T10:00:00+01:00,,"), ("rows", 1, "malformed", 1)),
    "too_many_fields": ("many.csv", _text(HEADER, call_line("m-1", 11), call_line("m-2", 12) + ",x,y,z"), ("rows", 1, "malformed", 1)),
    "unquoted_quote": ("quote.csv", _text(HEADER, call_line("q-1", 13), 'q-2,"2016-03-14T10:00:00+01:00,,,answered,5,60,,,,'), ("rows", 1, "", 1)),
    "unparseable_timestamp": ("ts.csv", _text(HEADER, call_line("u-1", 15), "u-2,yesterday at ten,,,answered,5,60,051317000,,,"), ("rows", 1, "ISO 8601", 1)),
    "impossible_date": ("feb30.csv", _text(HEADER, "i-1,2016-02-30T10:00:00+01:00,,,answered,5,60,051317000,,,"), ("rows", 1, "ISO 8601", 0)),
    "hour_25": ("hour25.csv", _text(HEADER, "h-1,2016-03-01T25:00:00+01:00,,,answered,5,60,051317000,,,"), ("rows", 1, "ISO 8601", 0)),
    "end_before_start": (
        "end-before.csv",
        _text(HEADER, "e-1,2016-03-01T10:00:00+01:00,,2016-03-01T09:00:00+01:00,answered,5,60,051317000,,,"),
        ("rows", 1, "ended_at is before started_at", 0),
    ),
    "answer_before_start": (
        "answer-before.csv",
        _text(HEADER, "a-1,2016-03-01T10:00:00+01:00,2016-03-01T09:59:00+01:00,,answered,5,60,051317000,,,"),
        ("rows", 1, "answered_at is before started_at", 0),
    ),
    "year_1970": ("epoch.csv", _text(HEADER, "y-1,1970-01-01T00:00:00+00:00,,,answered,5,60,051317000,,,"), ("rows", 1, "before the year 2000", 0)),
    "far_future": ("future.csv", _text(HEADER, "y-2,2999-01-01T10:00:00+01:00,,,answered,5,60,051317000,,,"), ("rows", 1, "in the future", 0)),
    "year_10000": ("y10000.csv", _text(HEADER, "y-3,10000-01-01T10:00:00+01:00,,,answered,5,60,051317000,,,"), ("rows", 1, "", 0)),
    "skipped_dst_hour": ("dst.csv", _text(HEADER, "d-1,2016-03-27T02:30:00,,,answered,5,60,051317000,,,"), ("rows", 1, "clocks went forward", 0)),
    "negative_wait": ("neg-wait.csv", _text(HEADER, call_line("w-1", 16, wait="-5")), ("rows", 1, "negative duration", 0)),
    "negative_talk": ("neg-talk.csv", _text(HEADER, call_line("w-2", 17, talk="-1")), ("rows", 1, "negative duration", 0)),
    "absurd_duration": ("absurd.csv", _text(HEADER, call_line("w-3", 18, talk="9999999")), ("rows", 1, "longer than a day", 0)),
    "nan_duration": ("nan.csv", _text(HEADER, call_line("w-4", 19, wait="NaN")), ("rows", 1, "is not a number of seconds", 0)),
    "infinite_duration": ("inf.csv", _text(HEADER, call_line("w-5", 20, talk="inf")), ("rows", 1, "", 0)),
    "text_duration": ("text-dur.csv", _text(HEADER, call_line("w-6", 21, wait="five")), ("rows", 1, "not a number", 0)),
    "unknown_outcome": ("outcome.csv", _text(HEADER, call_line("o-1", 22, outcome="exploded")), ("rows", 1, "unknown outcome", 0)),
    "missing_call_id": ("no-id.csv", _text(HEADER, call_line("", 23)), ("rows", 1, "missing call_id", 0)),
    "ten_mb_single_line": ("huge-line.csv", b"x" * (10 * 1024 * 1024), "file"),
    "ten_mb_row_after_header": (
        "huge-row.csv",
        _text(HEADER, call_line("big-1", 24)) + b"big-2," + b"9" * (10 * 1024 * 1024) + b"\n" + _text(call_line("big-3", 25)),
        ("rows", 1, "", 2),
    ),
    # UTF-8 letters in one line and a Latin-1 one in another: the file stays UTF-8, the bad line goes.
    "latin1_row_in_utf8": (
        "mixed-enc.csv",
        _text(HEADER, call_line("enc-1", 26), "enc-0,2016-03-27T11:00:00+02:00,,,answered,5,60,051317000,Vårgårda,,")
        + "enc-2,2016-03-27T10:00:00+02:00,,,answered,5,60,051317000,Vårgårda,,\n".encode("latin-1"),
        ("rows", 1, "", 2),
    ),
    # Only Latin-1 letters beside ASCII: a Windows-1252 file, read whole.
    "latin1_rows_only": (
        "cp1252.csv",
        _text(HEADER, call_line("cp-1", 27)) + "cp-2,2016-03-27T10:00:00+02:00,,,answered,5,60,051317000,Vårgårda,,\n".encode("latin-1"),
        ("rows", 0, "", 2),
    ),
    "utf16_file": ("utf16.csv", (HEADER + "\n" + call_line("u16", 2) + "\n").encode("utf-16"), "file"),
    # A spreadsheet's save: Windows-1252 (read as such, with a notice), and an unknown column ignored.
    "latin1_header": ("latin1-header.csv", "call_id,started_at,outcome,kö\n".encode("latin-1"), ("rows", 0, "", 0)),
    "invalid_utf8_bytes": ("bad-utf8.csv", _text(HEADER, call_line("b-1", 3)) + b"b-2,\xff\xfe\xfa,,,answered,5,60,,,,\n", ("rows", 1, "", 1)),
    "bom_and_crlf": ("bom.csv", b"\xef\xbb\xbf" + (HEADER + "\r\n" + call_line("bom-1", 4) + "\r\n").encode(), ("rows", 0, "", 1)),
    "gzip_truncated": ("cut.csv.gz", gzip.compress(_text(HEADER, *(call_line(f"g-{i}", 5) for i in range(200))))[:300], "file"),
    "png_image": ("unrelated/picture.png", PNG, "file"),
    "zip_archive": ("unrelated/archive.zip", _zip_bytes(), "file"),
    "plain_text": ("unrelated/notes.txt", _text("Minnesanteckningar från växelmötet", "Inga siffror här."), "file"),
    "json_file": ("unrelated/export.json", b'{"calls": [{"id": 1}]}', "file"),
    "semicolon_csv": ("semicolons.csv", _text(HEADER.replace(",", ";"), call_line("sc-1", 6).replace(",", ";")), ("rows", 0, "", 1)),
}


def _input_lines(data: bytes) -> int:
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path], str, str]:
    folder = tmp_path_factory.mktemp("bad")
    inputs = folder / "inputs"
    inputs.mkdir()
    paths = {}
    for name, (file_name, data, _) in CASES.items():
        path = inputs / file_name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        paths[name] = path
    good = write_csv(inputs / "zz-good.csv", GOOD)
    paths["good"] = good
    db = folder / "callstats.duckdb"
    result = run_cli("ingest", str(inputs), "--db", str(db), env={"CALLSTATS_KEY_FILE": str(folder / "private" / "key")})
    return db, paths, result.stdout, result.stderr


def test_the_corpus_is_big_enough() -> None:
    assert len(CASES) >= 30


def test_no_traceback_and_the_good_file_still_loads(corpus_run: tuple[Path, dict[str, Path], str, str]) -> None:
    db, paths, stdout, stderr = corpus_run
    assert "Traceback" not in stdout + stderr
    assert stderr.strip().count("\n") == 0, stderr  # one line: how many files failed
    assert "could not be loaded" in stderr
    con = duckdb.connect(str(db), read_only=True)
    try:
        good = con.execute(
            "select loaded, status from ingested_files where path = $p", {"p": str(paths["good"])}
        ).fetchall()
        assert good == [(3, "loaded")]
        # Every file of the run has its row, and the books balance for each.
        assert con.execute("select count(*) from ingested_files").fetchall() == [(len(paths),)]
        assert con.execute(
            "select count(*) from ingested_files where rows_read <> loaded + merged + duplicate + rejected + filtered"
        ).fetchall() == [(0,)]
        views = con.execute("select sum(calls) from calls_by_day").fetchall()
        assert views == con.execute("select count(*) from calls").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_broken_file_is_quarantined_or_refused(
    corpus_run: tuple[Path, dict[str, Path], str, str], name: str
) -> None:
    db, paths, stdout, _ = corpus_run
    expectation = CASES[name][2]
    con = duckdb.connect(str(db), read_only=True)
    try:
        [(file_id, status, message, read, loaded, rejected)] = con.execute(
            "select file_id, status, message, rows_read, loaded, rejected from ingested_files where path = $p",
            {"p": str(paths[name])},
        ).fetchall()
        calls = con.execute("select count(*) from calls where file_id = $f", {"f": file_id}).fetchall()[0][0]
        quarantined = con.execute(
            "select line_no, reason, raw from rejected_rows where file_id = $f order by line_no", {"f": file_id}
        ).fetchall()
    finally:
        con.close()
    if expectation == "file":
        assert status == "failed"
        assert message and "\n" not in message and "Traceback" not in message
        assert calls == 0 and quarantined == []  # nothing of a refused file is loaded
        assert f"{paths[name].name}" in stdout
        return
    assert isinstance(expectation, tuple)
    _, n_rejected, fragment, n_loaded = expectation
    assert status == "loaded", message
    assert (rejected, loaded, calls) == (n_rejected, n_loaded, n_loaded)
    assert len(quarantined) == n_rejected
    for line_no, reason, raw in quarantined:
        assert line_no is not None and line_no >= 2  # line 1 is the header
        assert fragment in reason
        assert "0701234567" not in (raw or "")  # a quarantined line never keeps a caller number
    assert read == loaded + rejected


def test_nonsense_is_never_loaded_corrected(corpus_run: tuple[Path, dict[str, Path], str, str]) -> None:
    db = corpus_run[0]
    con = duckdb.connect(str(db), read_only=True)
    try:
        bad = con.execute(
            "select call_id from calls where wait_s < 0 or talk_s < 0 or isnan(wait_s) or isnan(talk_s)"
            " or wait_s > 86400 or talk_s > 86400 or started_at < timestamptz '2000-01-01 00:00:00+00'"
            " or started_at > now() or ended_at < started_at or answered_at < started_at"
            " or contains(call_id, chr(0)) or call_id like 'y-%' or call_id like 'w-%' or call_id like 'e-%'"
        ).fetchall()
    finally:
        con.close()
    assert bad == []


def test_in_process_a_refused_file_rolls_back_and_others_load(tmp_path: Path) -> None:
    """The same through the library: a truncated gzip fails after DuckDB has read part of it."""
    rows = [call_line(f"g-{i}", 1 + i % 28) for i in range(2000)]
    whole = gzip.compress(("\n".join([HEADER, *rows]) + "\n").encode())
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a-cut.csv.gz").write_bytes(whole[: len(whole) * 2 // 3])
    write_csv(tmp_path / "in" / "b-good.csv", GOOD)
    report = ingest([tmp_path / "in"], settings_for(tmp_path))
    assert [f.status for f in report.files] == ["failed", "loaded"]
    con = duckdb.connect(str(tmp_path / "callstats.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from calls").fetchall() == [(3,)]
    finally:
        con.close()
