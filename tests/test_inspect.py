"""`callstats inspect`: the first-run command. It names each file's format and what its calls dialled,
writes nothing, never shows a caller's number, and prints a settings snippet that, pasted into
callstats.toml, makes the next ingest keep exactly the calls it lists."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import main
from pipeline.ingest import ingest
from tests.conftest import ROOT, settings_for

# Every test runs as a new site would: no settings file, its own working and key folders.
pytestmark = pytest.mark.usefixtures("new_site")

FIXTURES = ROOT / "tests" / "fixtures" / "formats"
# Every fixture a format recognises on its own, with that format: the telephony fixtures' manifest
# (layouts read through a mapping left out) and the callstats CSV.
MANIFEST = tomllib.loads((FIXTURES / "expected.toml").read_text(encoding="utf-8"))
EXPECTED_FORMAT = {
    "callstats/calls.csv": "callstats",
    **{name: str(entry["format"]) for name, entry in MANIFEST.items() if "mapping" not in entry},
}


def fixture_files() -> list[Path]:
    return [FIXTURES / name for name in sorted(EXPECTED_FORMAT)]


def inspect_json(capsys: pytest.CaptureFixture[str], *paths: Path) -> tuple[int, dict[str, object]]:
    code = main(["inspect", "--format", "json", *map(str, paths)])
    return code, json.loads(capsys.readouterr().out)


def call_ids(db: Path, where: str = "true", params: dict[str, object] | None = None) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            r[0] for r in con.execute(f"select call_id from calls where {where}", params or {}).fetchall()
        }
    finally:
        con.close()


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_snippet_keeps_exactly_the_calls_it_lists(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = inspect_json(capsys, path)
    (found,) = out["files"]  # type: ignore[misc]
    assert code == 0 and found["format"] == EXPECTED_FORMAT[path.relative_to(FIXTURES).as_posix()]
    assert found["calls"] > 0 and found["first_date"] <= found["last_date"]

    snippet = str(out["settings_snippet"])
    listed = tomllib.loads(snippet)
    numbers = [entry["number"] for entry in listed.get("switchboard_numbers", [])]
    assert numbers == list(found["dialled_numbers"])
    assert listed.get("switchboard_queues", []) == list(found["queues"])
    assert listed.get("switchboard_contexts", []) == list(found["contexts"])

    everything = settings_for(tmp_path / "plain", site=None)
    (plain,) = ingest([path], everything).files
    site = tmp_path / "site" / "callstats.toml"
    site.parent.mkdir()
    site.write_text(snippet, encoding="utf-8")
    (kept,) = ingest([path], settings_for(site.parent, site=site)).files
    assert plain.status == kept.status == "loaded"
    expected = call_ids(
        everything.db, "dialled_number is null or list_contains($n, dialled_number)", {"n": numbers}
    )
    if not numbers:
        expected = call_ids(everything.db)
    assert call_ids(settings_for(site.parent, site=site).db) == expected
    assert kept.loaded == len(expected)


def test_text_output_names_format_numbers_and_never_a_caller(capsys: pytest.CaptureFixture[str]) -> None:
    master = FIXTURES / "asterisk" / "Master.csv"
    assert main(["inspect", str(master)]) == 0
    text = capsys.readouterr().out
    assert "format: asterisk_cdr" in text
    assert "dialled numbers: 051317000 (8), 0322600600 (2)" in text
    assert "contexts: from-trunk (10), from-internal (1)" in text
    assert "channels: PJSIP/telia (10)" in text
    assert "time: uniqueid epochs match start: times read as UTC" in text
    assert 'switchboard_contexts = ["from-trunk", "from-internal"]' in text
    callers = {"0701234567", "+46317001122", "46317001122"}
    assert not [c for c in callers if c in text]


def test_inspect_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = {p for p in tmp_path.rglob("*")}
    assert main(["inspect", str(FIXTURES / "asterisk"), str(FIXTURES / "queue_log")]) == 0
    capsys.readouterr()
    assert {p for p in tmp_path.rglob("*")} == before, "no database, no key, no settings file"


def test_an_unrecognised_file_says_why_and_the_nearest_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    master = (FIXTURES / "asterisk" / "Master.csv").read_text(encoding="utf-8")
    odd = tmp_path / "export.csv"
    odd.write_text("Exported by the PBX admin page\n--------\n" + master, encoding="utf-8")
    code, out = inspect_json(capsys, odd, FIXTURES / "unknown" / "notes.txt")
    first, second = out["files"]  # type: ignore[misc]
    assert code == 1
    assert first["format"] is None and "not recognised" in first["evidence"]
    assert first["nearest"].startswith("asterisk_cdr: 11 of ")
    assert second["format"] is None and second["nearest"] is None
