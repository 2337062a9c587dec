"""The bench's peak memory is the measured command's own, whatever the bench process holds."""

from __future__ import annotations

import sys

from bench.measure import measure

ALLOCATES_200_MB = "import time; block = b'x' * (200 * 2**20); time.sleep(0.5); print('done')"


def test_the_peak_is_the_childs_own_not_the_parents() -> None:
    held = b"p" * (600 * 2**20)  # the bench itself holding 600 MiB, as after generating a big file
    run = measure([sys.executable, "-c", ALLOCATES_200_MB])
    assert len(held) == 600 * 2**20
    assert run.output == "done\n"
    assert 200 <= run.peak_mb < 500


def test_a_failing_command_raises_with_its_output() -> None:
    try:
        measure([sys.executable, "-c", "print('bad input'); raise SystemExit(3)"])
    except RuntimeError as exc:
        assert "(3)" in str(exc) and "bad input" in str(exc)
    else:
        raise AssertionError("a failing command must raise")
