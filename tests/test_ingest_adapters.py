"""Every file goes through its adapter: the ingest stages a file only by the adapter's `stage`, so
what an adapter reads in a test (or in `callstats inspect`) is what `callstats ingest` loads."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import main
from pipeline.formats import callstats_csv, cucm, get_adapter
from pipeline.formats.base import AdapterOptions, FormatError, ParsedFile
from pipeline.ingest import ingest
from pipeline.inspection import inspect_file
from tests.conftest import HEADER, ROOT, SPREADSHEET_SAVES, settings_for, spreadsheet_rows

# Every test runs as a new site would: no settings file, its own working and key folders.
pytestmark = pytest.mark.usefixtures("new_site")

FIXTURES = ROOT / "tests" / "fixtures" / "formats"


def stored(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def spreadsheet_file(folder: Path, delimiter: str, encoding: str, bom: bool) -> Path:
    """A callstats CSV as a spreadsheet saves it: its delimiter, its encoding, CRLF, decimal commas,
    and one line a hand edit cut short (line 4)."""
    rows = spreadsheet_rows(5, prefix="s", outcome="Answered")
    lines = [delimiter.join(HEADER.split(","))] + [delimiter.join(r) for r in rows]
    lines.insert(3, delimiter.join(["s-short", "2016-12-06 09:30:00", "answered"]))
    path = folder / "calls.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + ("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@SPREADSHEET_SAVES
def test_the_adapter_reads_what_the_command_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], delimiter: str, encoding: str, bom: bool
) -> None:
    path = spreadsheet_file(tmp_path, delimiter, encoding, bom)
    parsed = get_adapter("callstats").parse(path, options=AdapterOptions())
    db = tmp_path / "cli.duckdb"
    assert main(["ingest", "--quiet", "--db", str(db), str(path)]) == 0, capsys.readouterr().err
    assert parsed.records_read == 6
    assert sorted(parsed.calls["call_id"].to_list()) == [
        str(row[0]) for row in stored(db, "select call_id from calls order by call_id")
    ]
    assert [(i.line_no, i.reason) for i in parsed.rejected] == stored(
        db, "select line_no, reason from rejected_rows order by line_no"
    )
    assert [i.line_no for i in parsed.rejected] == [4]
    assert stored(db, "select rows_read, loaded, rejected from ingested_files") == [(6, 5, 1)]
    assert parsed.calls["queue"].unique().to_list() == ["växel – dag"]


def test_the_ingest_stages_through_the_detected_adapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged: list[tuple[str, str]] = []

    def spy(original: object) -> object:
        def stage(
            self: object, con: duckdb.DuckDBPyConnection, path: Path, *, options: AdapterOptions
        ) -> ParsedFile:
            staged.append((type(self).__name__, path.name))
            return original(self, con, path, options=options)  # type: ignore[operator, no-any-return]

        return stage

    monkeypatch.setattr(cucm.CucmAdapter, "stage", spy(cucm.CucmAdapter.stage))
    monkeypatch.setattr(callstats_csv.CallstatsAdapter, "stage", spy(callstats_csv.CallstatsAdapter.stage))
    cucm_day = FIXTURES / "cucm" / "cdr_StdCluster_01_202403050800_2"
    canonical = FIXTURES / "callstats" / "calls.csv"
    files = ingest([cucm_day, canonical], settings_for(tmp_path, site=None)).files
    assert [(f.status, f.format) for f in files] == [("loaded", "cucm"), ("loaded", "callstats")]
    assert staged == [("CucmAdapter", cucm_day.name), ("CallstatsAdapter", "calls.csv")]


def test_filtered_counts_are_accounted_like_filtered_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An adapter that filters too many records to list reports them counted by reason."""
    original = cucm.CucmAdapter.stage

    def stage(
        self: cucm.CucmAdapter, con: duckdb.DuckDBPyConnection, path: Path, *, options: AdapterOptions
    ) -> ParsedFile:
        parsed = original(self, con, path, options=options)
        parsed.filtered_counts = {"a leg of a call the file does not start": 7}
        parsed.records_read += 7
        return parsed

    monkeypatch.setattr(cucm.CucmAdapter, "stage", stage)
    settings = settings_for(tmp_path, site=None)
    (file,) = ingest([FIXTURES / "cucm" / "cdr_StdCluster_01_202403050800_2"], settings).files
    assert file.status == "loaded" and file.accounted
    assert (file.filtered, file.filtered_reasons) == (7, {"a leg of a call the file does not start": 7})
    assert stored(settings.db, "select reason, rows from filtered_rows") == [
        ("a leg of a call the file does not start", 7)
    ]
    assert stored(settings.db, "select filtered from ingested_files") == [(7,)]


def call_ids(db: Path) -> list[str]:
    return [str(row[0]) for row in stored(db, "select call_id from calls order by call_id")]


@pytest.mark.parametrize(
    ("fixture", "numbers", "left_out"),
    [
        (
            "cucm/cdr_StdCluster_01_202403040700_1",
            {"0513-170 00": "Herrljunga", "0322-60 06 00": "Vårgårda"},
            {"StdCluster-1-1007"},  # an internal call to extension 2002
        ),
        (
            "teams/DirectRoutingUsage.csv",
            {"0322-60 06 00": "Vårgårda"},
            {  # the calls to Herrljunga's number
                "7e2a1b3c-0001-4a5b-9c8d-00000000aaaa",
                "9d1c0f2e-0004-4a5b-9c8d-000000000004",
                "9d1c0f2e-0006-4a5b-9c8d-000000000006",
            },
        ),
    ],
)
def test_switchboard_numbers_filter_once_for_every_format(
    tmp_path: Path, fixture: str, numbers: dict[str, str], left_out: set[str]
) -> None:
    """The configured numbers filter in the ingest, after the adapter: one rule, one reason."""
    entries = [{"number": n, "organisation": o} for n, o in numbers.items()]
    everything = settings_for(tmp_path / "all", site=None)
    (whole,) = ingest([FIXTURES / fixture], everything).files
    settings = settings_for(tmp_path / "some", site=None, switchboard_numbers=entries)
    (file,) = ingest([FIXTURES / fixture], settings).files
    assert file.status == "loaded" and file.accounted
    assert set(call_ids(everything.db)) - set(call_ids(settings.db)) == left_out
    assert file.filtered_reasons == {**whole.filtered_reasons, "not a switchboard number": len(left_out)}


def test_a_switchboard_number_matches_however_it_is_written(tmp_path: Path) -> None:
    """+46 and spaces in the setting, 0322600600 in the Asterisk CDR's dst: the same number."""
    entries = [{"number": "+46 322 60 06 00", "organisation": "Vårgårda"}]
    settings = settings_for(tmp_path, site=None, switchboard_numbers=entries)
    (file,) = ingest([FIXTURES / "asterisk" / "Master.csv"], settings).files
    assert file.loaded > 0 and file.filtered_reasons.get("not a switchboard number", 0) > 0
    assert stored(settings.db, "select distinct dialled_number, organisation from calls") == [
        ("0322600600", "Vårgårda")
    ]


def test_inspect_reads_the_callstats_csv_as_the_ingest_does(tmp_path: Path) -> None:
    """One row per offered call: inbound by definition, so inspect shows the direction."""
    found = inspect_file(FIXTURES / "callstats" / "calls.csv")
    assert (found.format, found.records, found.calls, found.rejected) == ("callstats", 3, 2, 1)
    assert found.direction == {"inbound": 2}


def test_a_damaged_gzip_is_one_line_for_inspect_and_ingest(tmp_path: Path) -> None:
    """Damage past the first MiB unpacked: the header reads, DuckDB's reader then fails the file."""
    rows = [HEADER] + [
        f"d{i},2016-12-05T08:{i % 60:02d}:00+01:00,,2016-12-05T08:{i % 60:02d}:30+01:00,abandoned,30,,"
        "0322600600,,,0701234567"
        for i in range(60_000)
    ]
    packed = gzip.compress(("\n".join(rows) + "\n").encode())
    path = tmp_path / "calls.csv.gz"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    with pytest.raises(FormatError, match=r"^calls\.csv\.gz: .*GZIP") as raised:
        get_adapter("callstats").parse(path, options=AdapterOptions())
    assert "\n" not in str(raised.value)
    found = inspect_file(path)
    assert found.format is None and "GZIP" in found.evidence
    (file,) = ingest([path], settings_for(tmp_path, site=None)).files
    assert file.status == "failed" and "GZIP" in file.message
