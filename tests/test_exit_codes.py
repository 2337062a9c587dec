"""Every failure a nightly run can meet ends as one line on stderr and a documented exit code, and
leaves the published database byte for byte as it was (README: exit codes).

0 all loaded or nothing new · 1 some files failed (the rest published) · 2 usage or settings error,
nothing done · 3 interrupted, nothing published · 4 another ingest holds the lock.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from pipeline import store
from tests.conftest import SAMPLE_CALLS

ROOT = Path(__file__).resolve().parent.parent
HEADER = "call_id,started_at,outcome,dialled_number"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_calls(path: Path, day: int, count: int = 5, extra: str = "") -> Path:
    lines = [
        f"d{day}-{k},2016-03-{day:02d}T{9 + k % 6:02d}:10:00+01:00,answered,051317000" for k in range(count)
    ]
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


class Site:
    """A published database built by a first, good night; each case runs one more command."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.db = root / "callstats.duckdb"
        self.exports = root / "exports"
        self.exports.mkdir()
        write_calls(self.exports / "calls-01.csv", 1)
        result = self.run("ingest", str(self.exports))
        assert result.returncode == 0, result.stderr
        self.published = sha(self.db)

    def run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        db_given = "--db" in args or args[:1] in (("sample",), ("--version",))
        return subprocess.run(
            [sys.executable, "-m", "pipeline.cli", *args, *([] if db_given else ["--db", str(self.db)])],
            capture_output=True,
            text=True,
            cwd=self.root,
            env={**os.environ, "CALLSTATS_KEY_FILE": str(self.root / "key"), **(env or {})},
            timeout=300,
        )

    def assert_one_line(self, result: subprocess.CompletedProcess[str], code: int, words: str) -> None:
        assert result.returncode == code, result.stderr
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("callstats: "), result.stderr
        assert words in lines[0]
        assert sha(self.db) == self.published, "the published file changed"


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("report", "monthly", "--format", "csv", "--out", "/does/not/exist/r.csv"), "does not exist"),
        (("report", "weekly", "--month", "2016-13"), "expected YYYY-MM"),
        (("ingest", "exports", "--db", "/proc/x.duckdb"), "cannot write in /proc"),
        (("ingest", "exports", "--db", "exports"), "is a folder"),
        (("ingest", "exports", "--db", "typo/callstats.duckdb"), "folder typo does not exist"),
        (("ingest", "exports", "--format", "asterix"), "unknown format 'asterix'"),
        (("ingest", "exports", "--mapping", "missing.toml"), "cannot read mapping"),
        (("ingest", "exprots"), "no such file or folder: exprots"),
        (("ingest", "empty"), "no files in empty"),
        (("ingest", "exports", "--source-tz", "Mars/Olympus"), "unknown time zone"),
        (("purge", "--older-than", "99999m"), "before the year 1"),
        (("purge", "--older-than", "99999999999d"), "before the year 1"),
        (("purge", "--older-than", "0m"), "add --force"),
        (("purge", "--older-than", "two years"), "expected months or days"),
        (("purge",), "needs --older-than"),
    ],
)
def test_a_usage_error_is_one_line_exit_2_and_changes_nothing(
    site: Site, args: tuple[str, ...], words: str
) -> None:
    (site.root / "empty").mkdir()
    result = site.run(*args)
    site.assert_one_line(result, 2, words)
    assert not (site.root / "typo").exists(), "a mistyped --db folder must not be created"


def test_a_read_only_db_folder_is_exit_2() -> None:
    """Run as a user who may not write in the --db folder. Root writes anywhere, so as root the
    command runs as `nobody` (setpriv), in a folder of its own that nobody can read."""
    base = Path(tempfile.mkdtemp(prefix="callstats-readonly-"))
    try:
        base.chmod(0o755)
        exports = base / "exports"
        exports.mkdir(mode=0o755)
        write_calls(exports / "calls-01.csv", 1).chmod(0o644)
        locked = base / "locked"
        locked.mkdir(mode=0o555)
        command = [
            sys.executable,
            "-m",
            "pipeline.cli",
            "ingest",
            str(exports),
            "--db",
            str(locked / "x.duckdb"),
        ]
        if os.geteuid() == 0:
            command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
        env = {**os.environ, "HOME": str(base), "CALLSTATS_KEY_FILE": str(base / "private" / "key")}
        result = subprocess.run(command, capture_output=True, text=True, cwd=base, env=env, timeout=300)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1, result.stderr
        assert lines[0].startswith("callstats: ") and "cannot write" in lines[0]
        assert list(locked.iterdir()) == [] and not (base / "private").exists(), "nothing was done"
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_the_lock_held_by_another_ingest_is_exit_4(site: Site) -> None:
    write_calls(site.exports / "calls-02.csv", 2)
    with store.writer_lock(site.db):
        result = site.run("ingest", "exports", env={"CALLSTATS_LOCK_WAIT_S": "0.3"})
    site.assert_one_line(result, 4, "another ingest is running")


@pytest.mark.parametrize(
    "point", ["after_lock", "after_stage", "after_insert", "after_commit", "before_publish", "before_rename"]
)
def test_ctrl_c_at_any_point_is_exit_3_and_publishes_nothing(site: Site, point: str) -> None:
    write_calls(site.exports / "calls-02.csv", 2)
    result = site.run("ingest", "exports", env={"CALLSTATS_FAULT": f"sigint:{point}"})
    site.assert_one_line(result, 3, "interrupted")
    assert list(site.root.glob(".*.tmp")) == []
    again = site.run("ingest", "exports")  # the next night completes the work
    assert again.returncode == 0, again.stderr
    assert sha(site.db) != site.published


def start_sample_ingest(site: Site) -> subprocess.Popen[str]:
    """An ingest of the sample (years of calls), returned once it holds the lock and is working."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "ingest", str(SAMPLE_CALLS), "--db", str(site.db), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=site.root,
        env={**os.environ, "CALLSTATS_KEY_FILE": str(site.root / "key")},
    )
    lock = store.lock_path(site.db)
    while process.poll() is None and not lock.read_text(encoding="utf-8").strip():
        time.sleep(0.02)
    return process


@pytest.mark.parametrize("delay_s", [0.0, 0.7, 1.5])
def test_ctrl_c_inside_a_running_query_is_exit_3(site: Site, delay_s: float) -> None:
    """A real SIGINT at a moment that falls inside DuckDB's work (years of sample calls), where it
    used to surface as a `RuntimeError: Query interrupted` traceback."""
    process = start_sample_ingest(site)
    time.sleep(delay_s)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=300)
    if process.returncode == 0:  # finished before the signal: nothing to check on this machine
        return
    assert process.returncode == 3, stderr
    assert "Traceback" not in stderr and stderr.strip().splitlines() == [
        "callstats: interrupted; nothing from this run was published (the database is as it was)"
    ]
    assert sha(site.db) == site.published


def test_sigterm_from_systemd_is_exit_3(site: Site) -> None:
    process = start_sample_ingest(site)
    time.sleep(0.5)
    process.terminate()
    _, stderr = process.communicate(timeout=300)
    if process.returncode == 0:
        return
    assert process.returncode == 3, stderr
    assert sha(site.db) == site.published


def test_a_failed_file_is_exit_1_and_the_rest_is_published(site: Site) -> None:
    write_calls(site.exports / "calls-02.csv", 2)
    (site.exports / "calls-03.csv").write_text("", encoding="utf-8")
    result = site.run("ingest", "exports")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("callstats: 1 file(s) could not be loaded")
    assert sha(site.db) != site.published


def test_rejected_rows_point_to_where_they_are_and_strict_makes_them_exit_1(site: Site) -> None:
    write_calls(site.exports / "calls-02.csv", 2, extra="x,2016-03-02T10:00:00+01:00,maybe,051317000\n")
    result = site.run("ingest", "exports")
    assert result.returncode == 0, result.stderr
    pointer = result.stderr.strip().splitlines()
    assert len(pointer) == 1 and "1 row(s) rejected in 1 file(s)" in pointer[0]
    query = pointer[0].split("see them with: callstats ", 1)[1]
    shown = site.run("query", query.split(" ", 1)[1].strip('"'))
    assert shown.returncode == 0 and "maybe" in shown.stdout
    write_calls(site.exports / "calls-03.csv", 3, extra="y,2016-03-03T10:00:00+01:00,maybe,051317000\n")
    strict = site.run("ingest", "exports", "--strict")
    assert strict.returncode == 1 and "rejected" in strict.stderr


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--version"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0 and result.stdout.startswith("callstats ")


def test_ctrl_c_while_the_command_is_still_starting_is_exit_3(site: Site) -> None:
    """The console script (pipeline.entry) catches the interrupt while polars and DuckDB are imported."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pipeline.entry import main; sys.exit(main())",
            "status",
            "--db",
            str(site.db),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=site.root,
    )
    # Wait for the early handler: Python itself never catches SIGTERM, so once SigCgt has it, it is ours.
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        caught = next(line for line in status.read_text().splitlines() if line.startswith("SigCgt:"))
        if int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)):
            break
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 3, stderr
    assert stderr.strip().splitlines() == [
        "callstats: interrupted; nothing from this run was published (the database is as it was)"
    ]
