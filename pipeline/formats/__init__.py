"""Telephony format adapters and detection by shape.

`detect(path)` reads the head of a file and returns the one adapter whose `sniff` accepts it. No match
and several matches are both user errors: the ingest must never guess silently between two formats.
The mapping adapter never sniffs (a mapping has to be given with `--mapping`).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.formats import (
    asterisk_cdr,
    asterisk_cdr_export,
    asterisk_queue_log,
    callstats_csv,
    cucm,
    freeswitch_csv,
    mapping,
    teams,
    textio,
    threecx,
)
from pipeline.formats.base import Adapter, FormatError

ADAPTERS: tuple[Adapter, ...] = (
    callstats_csv.ADAPTER,
    asterisk_cdr.ADAPTER,
    asterisk_cdr_export.ADAPTER,
    asterisk_queue_log.ADAPTER,
    freeswitch_csv.ADAPTER,
    cucm.ADAPTER,
    threecx.ADAPTER,
    teams.ADAPTER,
    mapping.ADAPTER,
)

__all__ = ["ADAPTERS", "detect", "get_adapter", "names"]


def names() -> list[str]:
    return [a.name for a in ADAPTERS]


def get_adapter(name: str) -> Adapter:
    for adapter in ADAPTERS:
        if adapter.name == name:
            return adapter
    raise FormatError(f"unknown format {name!r}; known formats: {', '.join(names())}")


def detect(path: Path) -> Adapter:
    head = textio.read_head(path)
    if not head.strip():
        raise FormatError(f"{path.name}: empty file, nothing to read")
    matches = [a for a in ADAPTERS if a.sniff(head)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        known = ", ".join(a.name for a in ADAPTERS if a.name != mapping.ADAPTER.name)
        raise FormatError(
            f"{path.name}: format not recognised (known: {known}); describe its columns in a mapping "
            "file and pass --mapping FILE"
        )
    raise FormatError(
        f"{path.name}: ambiguous format, matches {' and '.join(a.name for a in matches)}; "
        "choose one with --format NAME"
    )
