"""Run a command as a child process and report its wall time and peak memory (max RSS).

The peak is the child's own: VmHWM of its process (the high-water mark of the memory it mapped after
exec), read from /proc while it runs. Not `ru_maxrss` from wait4: Linux carries the parent's peak
RSS into the child's when it starts a program, so a bench that had just generated a 10 million-record
file in its own DuckDB (6.6 GB) reported 6.6 GB for an ingest that peaked at 1.3 GB.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# How often VmHWM is read: growth in the child's last interval before exit is the only part missed.
POLL_S = 0.05


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mb: float
    output: str


def high_water_kib(pid: int) -> int | None:
    """VmHWM of a running process in KiB; None once it has exited (or where /proc has no such line)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def measure(command: list[str], env: dict[str, str] | None = None) -> Measured:
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert process.stdout is not None
    stdout = process.stdout
    chunks: list[str] = []
    # The pipe is drained beside the polling, so a talkative child never blocks on a full pipe.
    reader = threading.Thread(target=lambda: chunks.append(stdout.read()))
    reader.start()
    peak_kib = 0
    while process.poll() is None:
        peak_kib = max(peak_kib, high_water_kib(process.pid) or 0)
        time.sleep(POLL_S)
    reader.join()
    seconds = time.perf_counter() - started
    output = "".join(chunks)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{output[-2000:]}")
    return Measured(seconds, peak_kib / 1024, output)
