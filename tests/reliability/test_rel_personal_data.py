"""Personal data in every text the database keeps from an input line: numbers written as systems and
people write them are masked in rejected lines, their reasons and the file messages; quarantined and
filtered rows go with the call rows at a purge; settings that weaken privacy come only from the
site's own settings; the pseudonymisation key and its folder are the owner's alone."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pytest
from rel_helpers import call_line, run_cli, write_csv

from pipeline.config import load_settings
from pipeline.ingest import ingest
from pipeline.masking import mask_numbers
from pipeline.pseudonym import PseudonymKeyError, load_or_create_key
from pipeline.retention import purge
from tests.conftest import settings_for

NBSP = "\u00a0"
# The forms of the review, each hiding 070 123 45 67 (or +46 70 123 45 67).
FORMS = (
    "sip:0701234567@pbx",
    f"070{NBSP}123{NBSP}45{NBSP}67",
    "070.123.45.67",
    "0701-23-45-67",
    "PJSIP/trunk-0701234567",
    "+46701234567",
    "+46 70 123 45 67",
    "070-123 45 67",
)
DIGITS = ("0701234567", "701234567", "1234567")


@pytest.mark.parametrize("form", FORMS)
def test_every_form_of_a_number_is_masked(form: str) -> None:
    masked = mask_numbers(f"queue {form}, ended")
    assert not any(d in "".join(ch for ch in masked if ch.isdigit()) for d in DIGITS), masked
    assert masked.startswith("queue ") and masked.endswith(", ended")


def test_dates_and_times_stay_readable() -> None:
    line = "x1,2016-03-01T10:00:00+01:00,2016-03-01 10:00:05,01.03.2016,answered,5,60"
    assert mask_numbers(line) == line


def _stored_texts(db: Path) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select coalesce(raw, '') || ' ' || reason from rejected_rows"
            " union all select reason from filtered_rows"
            " union all select coalesce(message, '') from ingested_files"
        ).fetchall()
    finally:
        con.close()
    return "\n".join(r[0] for r in rows)


def test_numbers_in_any_field_of_a_quarantined_line_are_masked(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    lines = [call_line("ok1", 2)]
    for index, form in enumerate(FORMS):
        # The number in the queue and the dialled number, not the caller column; the line is
        # rejected for its negative wait, or for an extra field.
        line = call_line(f"bad{index}", 3, wait="-1", dialled=form.replace(",", " "))
        lines.append(line.replace(",,,", f",,{form.replace(',', ' ')},", 1))
        lines.append(call_line(f"extra{index}", 4) + f",{form}")
    lines.append(f'odd,"2016-03-01T10:00:00+01:00,,,answered,5,60,{FORMS[0]},,,0701234567')
    write_csv(tmp_path / "calls.csv", lines)
    [file] = ingest([tmp_path / "calls.csv"], settings).files
    assert file.rejected == 2 * len(FORMS) + 1
    texts = _stored_texts(settings.db)
    digits = "".join(ch if ch.isdigit() else " " for ch in texts)
    assert not any(d in digits for d in DIGITS), texts[:500]
    assert "#" in texts


def test_quarantined_and_filtered_rows_follow_the_call_rows_at_a_purge(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    old = [
        call_line("old1", 2, month=3),
        call_line("old-bad", 3, month=3, wait="-1"),
        call_line("old-filtered", 4, month=3, dialled="031-123 45 00"),
    ]
    new = [call_line("new1", 2, month=5), call_line("new-bad", 3, month=5, wait="-1")]
    ingest([write_csv(tmp_path / "old.csv", old)], settings)
    ingest([write_csv(tmp_path / "new.csv", new)], settings)
    purge(settings, dt.date(2016, 4, 1))
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        rejected = con.execute(
            "select f.path from rejected_rows join ingested_files as f using (file_id)"
        ).fetchall()
        filtered = con.execute("select count(*) from filtered_rows").fetchall()[0][0]
    finally:
        con.close()
    assert rejected == [(str(tmp_path / "new.csv"),)]
    assert filtered == 0


def test_privacy_weakening_settings_from_a_parent_folder_are_ignored_and_announced(tmp_path: Path) -> None:
    planted = tmp_path / "planted.key"
    planted.write_text("00" * 32 + "\n")
    (tmp_path / "callstats.toml").write_text(
        f'store_raw_caller = true\nkey_file = "{planted}"\nopens_at = "07:30"\n'
    )
    site = tmp_path / "site"
    site.mkdir()
    settings = load_settings(start=site)
    assert settings["store_raw_caller"] is False
    assert settings["key_file"] != str(planted)
    assert str(settings["opens_at"]) == "07:30"  # other settings from the parent file still apply
    notes = settings.privacy_notes()
    assert any("ignored store_raw_caller" in n for n in notes) and any("ignored key_file" in n for n in notes)
    # The site's own file may set them, and the ingest says so.
    (site / "callstats.toml").write_text("store_raw_caller = true\n")
    own = load_settings(start=site)
    assert own["store_raw_caller"] is True
    assert any("store_raw_caller is on" in n for n in own.privacy_notes())


def test_the_ingest_summary_announces_raw_numbers(tmp_path: Path) -> None:
    write_csv(tmp_path / "calls.csv", [call_line("a1", 2)])
    done = run_cli(
        "ingest",
        str(tmp_path / "calls.csv"),
        "--db",
        str(tmp_path / "c.duckdb"),
        env={"CALLSTATS_STORE_RAW_CALLER": "true", "CALLSTATS_KEY_FILE": str(tmp_path / "key")},
    )
    assert done.returncode == 0, done.stderr
    assert "privacy: store_raw_caller is on (from CALLSTATS_STORE_RAW_CALLER)" in done.stdout


@pytest.mark.parametrize(
    ("file_mode", "folder_mode"), [(0o644, 0o700), (0o640, 0o700), (0o600, 0o755), (0o600, 0o777)]
)
def test_a_key_or_folder_open_to_others_is_refused_in_one_line(
    tmp_path: Path, file_mode: int, folder_mode: int
) -> None:
    folder = tmp_path / "keys"
    folder.mkdir()
    key = folder / "pseudonym.key"
    key.write_text("ab" * 32 + "\n")
    os.chmod(key, file_mode)
    os.chmod(folder, folder_mode)
    with pytest.raises(PseudonymKeyError, match="chmod"):
        load_or_create_key(key)
    write_csv(tmp_path / "calls.csv", [call_line("a1", 2)])
    done = run_cli(
        "ingest",
        str(tmp_path / "calls.csv"),
        "--db",
        str(tmp_path / "c.duckdb"),
        env={"CALLSTATS_KEY_FILE": str(key)},
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "chmod" in done.stderr
    assert not (tmp_path / "c.duckdb").exists()
