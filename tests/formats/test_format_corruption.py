"""Corrupted fixtures never crash an adapter: each ends in a one-line FormatError or a result whose
accounting holds (read = offered + merged + rejected + filtered) with every line number real.

The corruptions are those of real damage (NUL runs, truncation, a stray quote or carriage return,
random bytes, a repeated or missing stretch); the seed is fixed so a failure reproduces.
"""

from __future__ import annotations

import random
import tomllib
from pathlib import Path

import pytest
from formats_helpers import FIXTURES

from pipeline import formats
from pipeline.formats.base import AdapterOptions, FormatError

MANIFEST = tomllib.loads((FIXTURES / "expected.toml").read_text(encoding="utf-8"))
CASES = 120


def _corrupt(data: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 3)):
        pos = rng.randrange(len(data) or 1)
        kind = rng.choice(["nul", "cut", "quote", "cr", "bytes", "repeat", "drop"])
        if kind == "nul":
            data = data[:pos] + b"\x00" * rng.randint(1, 300) + data[pos:]
        elif kind == "cut":
            data = data[:pos]
        elif kind == "quote":
            data = data[:pos] + b'"' + data[pos:]
        elif kind == "cr":
            data = data[:pos] + b"\r" + data[pos:]
        elif kind == "bytes":
            data = data[:pos] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 50))) + data[pos:]
        elif kind == "repeat":
            data = data[:pos] + data[pos : pos + rng.randint(1, 200)] + data[pos:]
        else:
            data = data[:pos] + data[pos + rng.randint(1, 100) :]
    return data


@pytest.mark.parametrize("case", range(CASES))
def test_corrupted_fixture_is_accounted_for_or_refused_in_one_line(case: int, tmp_path: Path) -> None:
    rng = random.Random(case)
    relative = rng.choice(sorted(MANIFEST))
    entry = MANIFEST[relative]
    path = tmp_path / Path(relative).name
    path.write_bytes(_corrupt((FIXTURES / relative).read_bytes(), rng))
    options = AdapterOptions(mapping=FIXTURES / entry["mapping"] if "mapping" in entry else None)
    lines = path.read_bytes().count(b"\n") + 1
    for chosen in ("detected", "given"):
        try:
            adapter = (
                formats.get_adapter(entry["format"])
                if chosen == "given" or "mapping" in entry
                else formats.detect(path)
            )
            parsed = adapter.parse(path, options=options)
        except FormatError as exc:
            assert "\n" not in str(exc)
            continue
        accounted = parsed.calls.height + parsed.merged + len(parsed.rejected) + len(parsed.filtered)
        assert parsed.records_read == accounted, (relative, chosen)
        numbers = [i.line_no for i in parsed.rejected + parsed.filtered] + parsed.calls["line_no"].to_list()
        assert all(1 <= n <= lines for n in numbers), (relative, chosen)
