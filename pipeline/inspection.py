"""`callstats inspect`: a first look at export files, before any settings exist. Writes nothing.

For each file: the format detected and why (or why none matched, and the nearest candidate), the
records and calls, the dates covered, what the file says about its time zone, the direction split
where the format records one, and what the calls dialled: numbers, queues, dialplan contexts and
channels, with call counts. Then a `callstats.toml` snippet with that switchboard definition, to
keep the lines that are the switchboard and delete the others.

Personal data: callers' numbers are never shown. A dialled number is shown only when at least
MIN_CALLS_SHOWN calls went to it: a switchboard number receives many calls, while a number dialled
once is more likely a person called from an extension; those are summed up on one line instead.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from pipeline import switchboard
from pipeline.config import normalise_number
from pipeline.formats import ADAPTERS, detect, get_adapter
from pipeline.formats.base import AdapterOptions, FormatError, ParsedFile

MIN_CALLS_SHOWN = 2
MOST_SHOWN = 20
_OFFSET = r"(Z|[+-]\d\d:?\d\d)$"


@dataclass
class Inspection:
    path: str
    format: str | None
    evidence: str
    nearest: str | None = None
    records: int = 0
    calls: int = 0
    rejected: int = 0
    filtered: dict[str, int] = field(default_factory=dict)
    first_date: str | None = None
    last_date: str | None = None
    time_zone: list[str] = field(default_factory=list)
    direction: dict[str, int] | None = None
    dialled_numbers: dict[str, int] = field(default_factory=dict)
    other_numbers: dict[str, int] = field(default_factory=lambda: {"numbers": 0, "calls": 0})
    no_dialled_number: int = 0
    queues: dict[str, int] = field(default_factory=dict)
    contexts: dict[str, int] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)

    @property
    def recognised(self) -> bool:
        return self.format is not None


def inspect_file(
    path: Path, *, format_name: str = "auto", mapping: Path | None = None, source_tz: str | None = None
) -> Inspection:
    options = AdapterOptions(source_tz=source_tz, mapping=mapping)
    try:
        if mapping is not None:
            adapter = get_adapter("mapping")
        elif format_name == "auto":
            adapter = detect(path)
        else:
            adapter = get_adapter(format_name)
        parsed = adapter.parse(path, options=options)
    except (FormatError, OSError, UnicodeDecodeError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Inspection(str(path), None, reason, nearest=_nearest(path, options))
    return _describe(path, adapter.description, parsed)


def _describe(path: Path, evidence: str, parsed: ParsedFile) -> Inspection:
    calls = parsed.calls
    started = calls["started_at"].drop_nulls()
    dates = started.str.slice(0, 10).sort()
    found = Inspection(
        str(path),
        parsed.format,
        evidence,
        records=parsed.records_read,
        calls=calls.height,
        rejected=len(parsed.rejected),
        filtered=dict(Counter(switchboard.stem(i.reason) for i in parsed.filtered)),
        first_date=dates.first() if len(dates) else None,  # type: ignore[arg-type]
        last_date=dates.last() if len(dates) else None,  # type: ignore[arg-type]
        time_zone=_time_zone(parsed, started),
        queues=_counts(calls["queue"]),
        contexts=dict(parsed.facets.get("contexts", {})),
        channels=dict(parsed.facets.get("channels", {})),
    )
    if parsed.direction_known:
        found.direction = {"inbound": calls.height, **found.filtered}
    dialled = Counter(normalise_number(n) for n in calls["dialled_number"].drop_nulls() if n.strip())
    found.no_dialled_number = calls.height - sum(dialled.values())
    for number, n in dialled.most_common():
        if number and n >= MIN_CALLS_SHOWN and len(found.dialled_numbers) < MOST_SHOWN:
            found.dialled_numbers[number] = n
        else:
            found.other_numbers["numbers"] += 1
            found.other_numbers["calls"] += n
    return found


def _counts(column: pl.Series) -> dict[str, int]:
    values = column.drop_nulls().str.strip_chars()
    return {str(v): int(n) for v, n in values.filter(values != "").value_counts(sort=True).iter_rows()}


def _time_zone(parsed: ParsedFile, started: pl.Series) -> list[str]:
    evidence = [
        n for n in parsed.notices if any(w in n.lower() for w in ("utc", "local time", "zone", "-tz"))
    ]
    with_offset = int(started.str.contains(_OFFSET).sum())
    if started.len() and with_offset == started.len():
        evidence.append("every time carries its UTC offset: exact, whatever --source-tz says")
    elif with_offset == 0 and not evidence:
        evidence.append("times carry no offset: read as --source-tz (default: the site's zone)")
    return evidence


def _nearest(path: Path, options: AdapterOptions) -> str | None:
    """The format that reads most of the file when forced, for a file no format recognised."""
    best: tuple[int, str] | None = None
    for adapter in ADAPTERS:
        if adapter.name == "mapping":
            continue
        try:
            parsed = adapter.parse(path, options=options)
        except (FormatError, OSError, UnicodeDecodeError, pl.exceptions.PolarsError):
            continue
        if parsed.calls.height and (best is None or parsed.calls.height > best[0]):
            best = (
                parsed.calls.height,
                f"{adapter.name}: {parsed.calls.height} of {parsed.records_read} records read as calls"
                f" with --format {adapter.name}",
            )
    return best[1] if best else None


def snippet(inspections: Iterable[Inspection]) -> str:
    """A `callstats.toml` switchboard definition listing what the files showed, most calls first."""
    found = [i for i in inspections if i.recognised]
    numbers: Counter[str] = Counter()
    queues: Counter[str] = Counter()
    contexts: Counter[str] = Counter()
    for item in found:
        numbers.update(item.dialled_numbers)
        queues.update(item.queues)
        contexts.update(item.contexts)
    lines = [
        f"# callstats.toml — the switchboard definition as {len(found)} file(s) showed it.",
        "# Keep what is the switchboard, delete the rest, and name each number's organisation.",
        "# With none of these lists every call counts (inbound only where the format records direction).",
    ]
    if queues:
        lines.append(f"switchboard_queues = {_toml_list(queues)}  # {_counted(queues)}")
    if contexts:
        lines.append(f"switchboard_contexts = {_toml_list(contexts)}  # {_counted(contexts)}")
    for number, n in numbers.most_common():
        lines += [
            "",
            "[[switchboard_numbers]]",
            f'number = "{number}"  # {n} calls',
            'organisation = "Växeln"',
        ]
    if not (numbers or queues or contexts):
        lines.append("# (no dialled numbers, queues or contexts in these files: nothing to set)")
    return "\n".join(lines) + "\n"


def _toml_list(values: Counter[str]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v, _ in values.most_common()) + "]"


def _counted(values: Counter[str]) -> str:
    return ", ".join(f"{v}: {n} calls" for v, n in values.most_common())


def as_text(inspections: list[Inspection]) -> str:
    out: list[str] = []
    for item in inspections:
        out.append(item.path)
        if not item.recognised:
            out.append(f"  format: not recognised — {item.evidence}")
            out.append(f"  nearest: {item.nearest or 'no format reads any call from it'}")
            out.append("")
            continue
        out.append(f"  format: {item.format} ({item.evidence})")
        out.append(
            f"  records {item.records}, calls {item.calls}, rejected {item.rejected}"
            + (f", from {item.first_date} to {item.last_date}" if item.first_date else "")
        )
        for note in item.time_zone:
            out.append(f"  time: {note}")
        if item.direction is not None:
            out.append(f"  direction: {_listed(item.direction)}")
        else:
            out.append("  direction: not recorded by this format (the switchboard definition decides)")
        for reason, n in item.filtered.items():
            if item.direction is None or reason not in item.direction:
                out.append(f"  filtered by the format: {n} {reason}")
        out.append(f"  dialled numbers: {_listed(item.dialled_numbers) or '(none shown)'}")
        if item.other_numbers["numbers"]:
            out.append(
                f"    and {item.other_numbers['numbers']} other numbers with {item.other_numbers['calls']} calls"
                f" (fewer than {MIN_CALLS_SHOWN} calls each, or beyond the first {MOST_SHOWN}: not shown)"
            )
        if item.no_dialled_number:
            out.append(
                f"    {item.no_dialled_number} calls record no dialled number (kept by any number list)"
            )
        for label, values in (
            ("queues", item.queues),
            ("contexts", item.contexts),
            ("channels", item.channels),
        ):
            if values:
                out.append(f"  {label}: {_listed(values)}")
        out.append("")
    out.append(snippet(inspections))
    return "\n".join(out)


def _listed(values: dict[str, int]) -> str:
    return ", ".join(f"{k} ({n})" for k, n in values.items())


def as_json(inspections: list[Inspection]) -> str:
    payload: dict[str, Any] = {
        "files": [asdict(i) for i in inspections],
        "settings_snippet": snippet(inspections),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)
