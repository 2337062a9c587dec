"""What a new user meets first: the version, the sample's count, the README's way to run commands,
and a dashboard without developer buttons."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_version_names_the_installed_package(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == "callstats 0.1.0"


def test_sample_says_how_many_files_it_wrote(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "sample", "--out", str(tmp_path / "s")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    inside = [p for p in (tmp_path / "s").rglob("*") if p.is_file()]
    exports = [p for p in (tmp_path / "sample_formats").rglob("*") if p.is_file()]
    assert len(list((tmp_path / "s" / "calls").iterdir())) == 26 and len(inside) == 27  # + callstats.toml
    assert result.stdout.startswith(f"wrote {len(inside)} files under {tmp_path / 's'} and {len(exports)} under ")


def test_the_dashboard_hides_the_developer_toolbar(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[list[str]] = []

    def fake_call(command: list[str], **_: Any) -> int:
        seen.append(command)
        return 0

    db = tmp_path / "callstats.duckdb"
    db.write_bytes(b"")
    monkeypatch.setattr("pipeline.commands.subprocess.call", fake_call)
    assert main(["dashboard", "--db", str(db)]) == 0
    [command] = seen
    assert command[command.index("--client.toolbarMode") + 1] == "viewer"
    app = (ROOT / "dashboard" / "app.py").read_text(encoding="utf-8")
    assert 'st.set_option("client.toolbarMode", "viewer")' in app  # also under a plain `streamlit run`


def test_the_readme_says_how_to_run_callstats_after_the_quick_start() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "source .venv/bin/activate" in quick_start
    assert ".venv/bin/callstats" in quick_start and "uv run callstats" in quick_start
    assert (ROOT / ".venv" / "bin" / "callstats").exists()  # the path the README gives


def test_tools_folder_is_ignored() -> None:
    assert ".tools/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
