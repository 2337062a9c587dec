"""A new site's first run: no settings file, no CALLSTATS_* variables, files it did not write itself.

With nothing configured every call a file records counts; a configured switchboard filters with the
rule named in the summary; a callstats CSV re-saved by a spreadsheet still reads; the sample folder
counts each call once; two sources on the same days are pointed out.
"""

from __future__ import annotations

import gzip
import tomllib
from pathlib import Path

import duckdb
import pytest

from pipeline.config import load_settings
from pipeline.ingest import ingest
from pipeline.inputs import expand_paths
from tests.conftest import HEADER, ROOT, SAMPLE_CALLS, SPREADSHEET_SAVES, settings_for, spreadsheet_rows

FIXTURES = ROOT / "tests" / "fixtures" / "formats"

# Eight calls: three to a number a site might configure, five to another one.
ROWS = [
    f"c{i},2016-12-05T0{8 + i // 4}:{10 + i}:00+01:00,,2016-12-05T0{8 + i // 4}:{12 + i}:00+01:00,abandoned,"
    f"30,,{number},,,07012345{i:02d}"
    for i, number in enumerate(["051317000"] * 3 + ["0104700000"] * 5)
]


def write_csv(path: Path, rows: list[str] = ROWS) -> Path:
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def stored(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_no_settings_counts_every_call(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, site=None)
    assert settings.source_file is None and settings["switchboard_numbers"] == []
    (file,) = ingest([write_csv(tmp_path / "calls.csv")], settings).files
    assert (file.status, file.loaded, file.filtered) == ("loaded", 8, 0)
    assert stored(settings.db, "select organisation, count(*) from calls group by all") == [("Okänd", 8)]


def test_an_empty_list_of_numbers_means_every_call(tmp_path: Path) -> None:
    site = tmp_path / "callstats.toml"
    site.write_text("switchboard_numbers = []\nswitchboard_queues = []\n", encoding="utf-8")
    settings = load_settings(
        {"db": str(tmp_path / "db.duckdb"), "key_file": str(tmp_path / "key")}, start=tmp_path
    )
    assert settings.source_file == site
    (file,) = ingest([write_csv(tmp_path / "calls.csv")], settings).files
    assert (file.loaded, file.filtered) == (8, 0)


def test_configured_numbers_filter_and_the_summary_says_so(tmp_path: Path) -> None:
    numbers = [{"number": "0513-170 00", "organisation": "Herrljunga"}]
    settings = settings_for(tmp_path, site=None, switchboard_numbers=numbers)
    (file,) = ingest([write_csv(tmp_path / "calls.csv")], settings).files
    assert (file.loaded, file.filtered) == (3, 5)
    assert file.filtered_reasons == {"not a switchboard number": 5}
    assert "switchboard definition (1 number): 3 calls kept; 5 not a switchboard number" in file.notices
    (warning,) = [n for n in file.notices if "were not the switchboard" in n]
    assert warning.startswith("5 of 8 calls were not the switchboard by the settings")
    assert "0104700000 (5)" in warning and "switchboard_numbers" in warning


def test_a_mostly_right_definition_gives_no_warning(tmp_path: Path) -> None:
    numbers = [{"number": "0104700000", "organisation": "Växeln"}]
    settings = settings_for(tmp_path, site=None, switchboard_numbers=numbers)
    (file,) = ingest([write_csv(tmp_path / "calls.csv")], settings).files
    assert (file.loaded, file.filtered) == (5, 3)
    assert not [n for n in file.notices if "were not the switchboard" in n]


def test_direction_note_is_true_for_a_format_without_direction(tmp_path: Path) -> None:
    master = FIXTURES / "asterisk" / "Master.csv"
    (plain,) = ingest([master], settings_for(tmp_path / "a", site=None)).files
    (note,) = [n for n in plain.notices if "does not record direction" in n]
    assert f"all {plain.loaded} calls were counted as offered" in note and plain.filtered == 0
    configured = settings_for(tmp_path / "b", site=None, switchboard_contexts=["from-trunk"])
    (kept,) = ingest([master], configured).files
    assert not [n for n in kept.notices if "does not record direction" in n]
    assert [n for n in kept.notices if n.startswith("switchboard definition (1 context)")]


@SPREADSHEET_SAVES
def test_callstats_csv_saved_by_a_spreadsheet(
    tmp_path: Path, delimiter: str, encoding: str, bom: bool
) -> None:
    lines = [delimiter.join(HEADER.split(","))] + [delimiter.join(r) for r in spreadsheet_rows(6)]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path = tmp_path / "calls.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    settings = settings_for(tmp_path, site=None)
    (file,) = ingest([path], settings).files
    assert (file.status, file.rows_read, file.loaded, file.rejected) == ("loaded", 6, 6, 0), file.message
    assert file.notices[0].startswith("read as a spreadsheet saves it")
    assert ("Windows-1252" in file.notices[0]) == (encoding == "cp1252")
    assert stored(
        settings.db, "select distinct organisation, queue, wait_s from calls where call_id = 'x0'"
    ) == [("Vårgårda", "växel – dag", 10.5)]
    plain = tmp_path / "plain"
    plain.mkdir()
    reference = write_csv(plain / "calls.csv", [",".join(r) for r in spreadsheet_rows(6, decimal_comma=False)])
    ref_settings = settings_for(plain, site=None)
    ingest([reference], ref_settings)
    query = "select call_id, started_at, answered_at, ended_at, wait_s, talk_s, organisation, queue from calls order by 1"
    assert stored(settings.db, query) == stored(ref_settings.db, query)


def test_a_converted_spreadsheet_leaves_no_temporary_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    lines = [";".join(HEADER.split(","))] + [";".join(r) for r in spreadsheet_rows(6)]
    path = tmp_path / "calls.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    (file,) = ingest([path], settings_for(tmp_path, site=None)).files
    assert file.loaded == 6
    assert list(scratch.iterdir()) == []


def test_the_sample_folder_holds_each_call_once() -> None:
    """`callstats ingest sample_data` reads the canonical log and nothing else (not the site's settings,
    not the same weeks as other systems' exports)."""
    files = expand_paths([ROOT / "sample_data"])
    assert files == sorted(SAMPLE_CALLS.glob("*.csv.gz"))
    assert all(gzip.decompress(f.read_bytes()).startswith(b"call_id,") for f in files)


def test_a_second_source_on_the_same_days_is_pointed_out(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, site=None)
    asterisk = ROOT / "sample_formats" / "asterisk" / "Master.csv"
    cucm_day = sorted((ROOT / "sample_formats" / "cucm").glob("cdr_*"))[0]
    first, second = ingest([asterisk, cucm_day], settings).files
    assert not [n for n in first.notices if "another source" in n]
    (note,) = [n for n in second.notices if "another source" in n]
    assert "(1 day; asterisk on 1 of them)" in note and "counted twice" in note
    (message,) = stored(settings.db, f"select message from ingested_files where path = '{cucm_day}'")[0:1]
    assert "another source" in str(message[0])


def manifest() -> dict[str, dict[str, object]]:
    return tomllib.loads((FIXTURES / "expected.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(manifest()))
def test_every_fixture_with_no_settings_finds_every_call(name: str, tmp_path: Path) -> None:
    """A new site's first ingest of files real systems wrote: every call the format recorded is loaded,
    and answered means answered by a person (the counts are the manifest's, checked per adapter in
    tests/formats/test_format_manifest.py)."""
    entry = manifest()[name]
    settings = settings_for(tmp_path, site=None)
    mapping = FIXTURES / str(entry["mapping"]) if "mapping" in entry else None
    (file,) = ingest([FIXTURES / name], settings, mapping=mapping).files
    assert file.status == "loaded", file.message
    # Where the ingest's own checks reject an offered call, the manifest says so under `ingest`.
    at_ingest = dict(entry.get("ingest", {}))  # type: ignore[call-overload]
    assert (file.rows_read, file.merged, file.filtered) == (entry["records"], entry["merged"], entry["filtered"])
    assert file.rejected == at_ingest.get("rejected", entry["rejected"])
    assert (file.loaded, file.duplicate) == (at_ingest.get("loaded", entry["offered"]), 0)
    answered = stored(settings.db, "select count(*) from calls where outcome = 'answered'")[0][0]
    assert answered == at_ingest.get("answered", entry["answered"])
