"""The `callstats` console script. Catches Ctrl-C and SIGTERM from the first moment: importing
polars and DuckDB takes a second or more, and an interrupt then must also end as one line and
exit 3 (nothing has been done yet, so nothing is published). pipeline.cli.main installs the
handlers for the real work once it runs."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

INTERRUPTED_LINE = "callstats: interrupted; nothing from this run was published (the database is as it was)\n"


def _interrupted_while_starting(signum: int, frame: FrameType | None) -> None:
    sys.stderr.write(INTERRUPTED_LINE)
    sys.stderr.flush()
    os._exit(3)  # no cleanup to run: no file or database has been opened yet


def main() -> int:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupted_while_starting)
    from pipeline.cli import main as run_command

    return run_command()
