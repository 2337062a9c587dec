"""Inputs are read as themselves: a file name with glob characters is that one file, never a
pattern; a link out of the input folder is not followed; the pseudonymisation key is never read
as input, however it is reached. Each skipped file is named in the summary with its reason."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import duckdb
import pytest
from rel_helpers import call_line, run_cli, write_csv

from pipeline.ingest import ingest
from tests.conftest import settings_for


def _call_ids(db: Path) -> dict[str, list[str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select f.path, c.call_id from calls as c join ingested_files as f using (file_id) order by 2"
        ).fetchall()
    finally:
        con.close()
    out: dict[str, list[str]] = {}
    for path, call_id in rows:
        out.setdefault(Path(path).name, []).append(call_id)
    return out


@pytest.mark.parametrize("name", ["*.csv", "[a].csv", "?.csv", "{a,b}.csv", "**.csv.gz"])
def test_a_file_name_with_glob_characters_is_read_as_that_one_file(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_csv(folder / "a.csv", [call_line("a1", 2)])
    write_csv(folder / "b.csv", [call_line("b1", 3)])
    write_csv(folder / ".hidden.csv", [call_line("h1", 4)])
    odd = write_csv(folder / name.removesuffix(".gz"), [call_line("odd1", 5)])
    if name.endswith(".gz"):
        packed = folder / name
        packed.write_bytes(gzip.compress(odd.read_bytes()))
        odd.unlink()
    settings = settings_for(tmp_path)
    report = ingest([folder], settings)
    assert all(f.status == "loaded" for f in report.files), [(f.path.name, f.message) for f in report.files]
    assert _call_ids(settings.db) == {"a.csv": ["a1"], "b.csv": ["b1"], name: ["odd1"]}


def test_links_out_of_the_input_folder_and_the_key_are_not_read(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    outside = write_csv(tmp_path / "elsewhere.csv", [call_line("out1", 2)])
    folder = tmp_path / "in"
    folder.mkdir()
    write_csv(folder / "a.csv", [call_line("a1", 3)])
    (folder / "sub").mkdir()
    write_csv(folder / "sub" / "inside.csv", [call_line("in1", 4)])
    os.symlink(folder / "sub" / "inside.csv", folder / "link-inside.csv")  # stays inside: read
    os.symlink(outside, folder / "link-out.csv")
    os.symlink(tmp_path, folder / "link-dir")
    ingest([folder], settings)  # creates the key
    os.symlink(settings.key_file, folder / "key.log")
    os.link(settings.key_file, folder / "hard-key.csv")
    report = ingest([folder], settings, format_name="asterisk_queue_log")
    skipped = {f.path.name: f.message for f in report.files if f.status == "skipped"}
    assert "link-out.csv" in skipped and "out of the input folder" in skipped["link-out.csv"]
    assert "never read" in skipped["key.log"] and "never read" in skipped["hard-key.csv"]
    assert not report.failed or all(f.path.name not in skipped for f in report.failed)
    key_hex = settings.key_file.read_text().strip()
    assert key_hex.encode() not in settings.db.read_bytes()
    assert key_hex.encode() not in settings.db.with_name("callstats.work.duckdb").read_bytes()
    # The key given by name on the command line is refused too.
    done = run_cli(
        "ingest",
        str(settings.key_file),
        "--db",
        str(settings.db),
        env={"CALLSTATS_KEY_FILE": str(settings.key_file)},
    )
    assert "the pseudonymisation key is never read as input" in done.stdout
