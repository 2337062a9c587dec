"""One table of settings: name, default, help. Precedence: flag > CALLSTATS_* env > file > default.

The file is the one given with `--settings FILE`, else the nearest `callstats.toml` (or a
`[tool.callstats]` table in `pyproject.toml`) found from the working directory upwards. Unknown
names in the file are an error, not a silent typo.

The defaults are a site with nothing configured: no switchboard numbers, queues or contexts, so every
call a file records counts (inbound only where the format records direction). Herrljunga's and
Vårgårda's numbers belong to the sample site's own settings file, `sample_data/callstats.toml`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.store import DEFAULT_MEMORY_LIMIT
from pipeline.workdays import CalendarRules


class SettingsError(Exception):
    """A setting has a value callstats cannot use: one line naming the setting and the fix."""


@dataclass(frozen=True)
class Setting:
    """One setting. `kind` is its type (taken from the default when not given): every value, from
    the file, the environment or a flag, is checked against it in `_checked`. `shapes_statistics`
    marks the settings whose change makes the next ingest recount the stored calls (rebuild.py)."""

    name: str
    default: Any
    help: str
    kind: type | None = None
    shapes_statistics: bool = False

    @property
    def env(self) -> str:
        return "CALLSTATS_" + self.name.upper()

    @property
    def type(self) -> type:
        return type(self.default) if self.kind is None else self.kind


def _default_key_file() -> str:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return str(Path(base) / "callstats" / "pseudonym.key")


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "callstats.duckdb", "published database that readers open"),
    Setting(
        "site_tz",
        "Europe/Stockholm",
        "the switchboard's time zone: local dates and hours",
        shapes_statistics=True,
    ),
    Setting("source_tz", "", "zone of naive timestamps in input files (default: site_tz)"),
    Setting("opens_at", "08:00", "opening time on working days", shapes_statistics=True),
    Setting("closes_at", "16:00", "closing time on full working days", shapes_statistics=True),
    Setting(
        "half_day_closes_at", "12:00", "closing time on half days (dag före helgdag)", shapes_statistics=True
    ),
    Setting(
        "calendar_country", "SE", "country of the public-holiday calendar (ISO code)", shapes_statistics=True
    ),
    Setting("half_days", True, "eves of holidays are half days (0,5)", shapes_statistics=True),
    Setting(
        "half_day_rules_off",
        [],
        "holidays whose eve is NOT a half day, e.g. ['Alla helgons dag']",
        shapes_statistics=True,
    ),
    Setting("extra_closed_days", [], "local closed days, e.g. ['2016-12-27']", shapes_statistics=True),
    Setting("extra_half_days", [], "local half days", shapes_statistics=True),
    Setting("baseline_calls_per_month", 7800, "the board's baseline (average calls a month)", kind=float),
    Setting(
        "service_level_s",
        20,
        "service level: share of calls answered within this many seconds",
        shapes_statistics=True,
    ),
    Setting(
        "short_abandon_s",
        5,
        "abandons shorter than this are reported apart (short abandons)",
        shapes_statistics=True,
    ),
    Setting("service_level_share", 0.8, "staffing target: this share answered within service_level_s"),
    Setting("wrap_up_s", 30, "staffing: seconds of work after each answered call, added to talk time"),
    Setting(
        "switchboard_numbers",
        [],
        "switchboard numbers → organisation, with valid_from / valid_to; empty: every number",
    ),
    Setting("switchboard_queues", [], "queues that are the switchboard (queue_log, 3CX); empty: all"),
    Setting("switchboard_contexts", [], "Asterisk dialplan contexts that are the switchboard; empty: all"),
    Setting(
        "ingest_memory_limit",
        DEFAULT_MEMORY_LIMIT,
        "DuckDB memory limit while ingesting; beyond it work spills to disk",
    ),
    Setting("key_file", "", "pseudonymisation key (default: ~/.config/callstats/pseudonym.key)"),
    Setting("store_raw_caller", False, "also keep raw caller numbers (personal data; off by default)"),
    Setting("retention", "", "purge default, e.g. '24m' (call rows only; statistics stay)"),
    Setting("smtp_host", "", "mail server for `report board --mail-to` (empty: mailing is off)"),
    Setting("smtp_port", 587, "mail server port"),
    Setting("smtp_starttls", True, "upgrade the mail connection with STARTTLS before logging in"),
    Setting("smtp_user", "", "mail login; its password only from the environment, CALLSTATS_SMTP_PASSWORD"),
    Setting("smtp_from", "", "sender address of the pack's mail (default: smtp_user)"),
    Setting("include", [], "in a folder, only files matching these globs, e.g. ['*.csv', 'cdr_*']"),
    Setting("exclude", [], "in a folder, skip files matching these globs, e.g. ['README*', '*.md']"),
)
SMTP_PASSWORD_ENV = "CALLSTATS_SMTP_PASSWORD"  # never a setting: a password does not belong in a file
_BY_NAME = {s.name: s for s in SETTINGS}


def read_settings_file(path: Path) -> tuple[Path, dict[str, Any]]:
    """A settings file named explicitly: `callstats.toml`, or `[tool.callstats]` of a pyproject.toml."""
    if not path.is_file():
        raise SettingsError(f"no settings file at {path}")
    table = _read_toml(path)
    if path.name == "pyproject.toml":
        table = dict(table.get("tool", {}).get("callstats", {}))
    return path, table


# Discovery never looks outside this folder when it is set (the test suite sets it to each test's
# own folder, so a developer's callstats.toml cannot change a test's results).
DISCOVERY_CEILING: Path | None = None


def find_settings_file(start: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if DISCOVERY_CEILING is not None and not folder.is_relative_to(DISCOVERY_CEILING.resolve()):
            break
        candidate = folder / "callstats.toml"
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _read_toml(pyproject).get("tool", {}).get("callstats")
            if table is not None:
                return pyproject, dict(table)
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read settings file {path}: {exc}") from exc


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _from_env(setting: Setting, raw: str) -> Any:
    """Environment variables are text: turned into the setting's type here, checked in `_checked`."""
    kind = setting.type
    if kind is bool:
        word = raw.strip().lower()
        if word not in _TRUE | _FALSE:
            raise SettingsError(f"{setting.env} must be true or false, not {raw!r}")
        return word in _TRUE
    if kind is list:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw.strip()


def _checked(setting: Setting, value: Any, origin: str) -> Any:
    """A value of the setting's type, or a one-line error naming the setting, where it came from and
    the fix. Text that reads as the type (a number in an environment variable) is accepted."""
    kind = setting.type
    where = f"{setting.name} (from {origin})"
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise SettingsError(f"{where} must be true or false, not {value!r}")
    if kind in (int, float):
        if isinstance(value, bool):
            raise SettingsError(f"{where} must be a number, not {value!r}")
        try:
            number = int(str(value).strip()) if kind is int else float(str(value).replace(",", ".").strip())
        except ValueError as exc:
            whole = "a whole number" if kind is int else "a number"
            raise SettingsError(f"{where} must be {whole}, not {value!r}") from exc
        if number < 0:
            raise SettingsError(f"{where} must not be negative, not {value!r}")
        # A whole number stays whole (7800, not 7800.0, in the settings table and the reports).
        return int(number) if float(number).is_integer() else number
    if kind is list:
        if not isinstance(value, list):
            raise SettingsError(f'{where} must be a list, e.g. ["a", "b"], not {value!r}')
        return value
    if kind is str:
        if isinstance(value, dt.time):  # TOML times, e.g. opens_at = 08:00:00
            return value.strftime("%H:%M")
        if isinstance(value, bool | int | float | list | dict):
            raise SettingsError(f"{where} must be text (in quotes), not {value!r}")
        return str(value)
    return value


# Settings that weaken the protection of personal data: taken only from the site's own settings
# file (in the working directory), CALLSTATS_* variables or flags, and announced by the ingest.
PRIVACY_WEAKENING = ("store_raw_caller", "key_file")


@dataclass(frozen=True)
class Settings:
    values: Mapping[str, Any]
    source_file: Path | None = None
    origins: Mapping[str, str] = field(default_factory=dict)  # name → where its value came from
    notices: tuple[str, ...] = ()

    def privacy_notes(self) -> list[str]:
        """What the ingest summary announces: privacy-weakening settings in force, and ignored ones."""
        notes = list(self.notices)
        if self.values["store_raw_caller"]:
            notes.append(
                f"store_raw_caller is on (from {self.origins.get('store_raw_caller', 'the settings')}):"
                " raw caller numbers are stored beside the pseudonyms"
            )
        if self.values["key_file"] and "key_file" in self.origins:
            notes.append(f"pseudonymisation key {self.values['key_file']} (from {self.origins['key_file']})")
        return notes

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @property
    def db(self) -> Path:
        return Path(self.values["db"])

    @property
    def site_tz(self) -> str:
        return str(self.values["site_tz"])

    @property
    def source_tz(self) -> str:
        return str(self.values["source_tz"] or self.values["site_tz"])

    @property
    def key_file(self) -> Path:
        return Path(self.values["key_file"] or _default_key_file()).expanduser()

    def calendar_rules(self) -> CalendarRules:
        return CalendarRules(
            country=str(self.values["calendar_country"]),
            half_days_enabled=bool(self.values["half_days"]),
            half_day_rules_off=frozenset(self.values["half_day_rules_off"]),
            extra_closed_days=frozenset(_dates(self.values["extra_closed_days"], "extra_closed_days")),
            extra_half_days=frozenset(_dates(self.values["extra_half_days"], "extra_half_days")),
            opens_at=_time(self.values["opens_at"], "opens_at"),
            closes_at=_time(self.values["closes_at"], "closes_at"),
            half_day_closes_at=_time(self.values["half_day_closes_at"], "half_day_closes_at"),
        )

    def switchboard_numbers(self) -> list[dict[str, str]]:
        rows = []
        for entry in self.values["switchboard_numbers"]:
            if not isinstance(entry, Mapping) or not entry.get("number") or not entry.get("organisation"):
                raise SettingsError("each switchboard_numbers entry needs 'number' and 'organisation'")
            rows.append(
                {
                    "number": normalise_number(str(entry["number"])),
                    "organisation": str(entry["organisation"]),
                    "valid_from": str(entry.get("valid_from") or ""),
                    "valid_to": str(entry.get("valid_to") or ""),
                }
            )
        _check_no_overlap(rows)
        return rows

    def as_rows(self) -> list[tuple[str, str]]:
        """What the database records about how it was built (the `settings` table)."""
        return [(name, str(value)) for name, value in sorted(self.values.items()) if name != "key_file"]


def _check_no_overlap(rows: list[dict[str, str]]) -> None:
    """A number belongs to one organisation at a time: overlapping periods would count a call twice."""
    spans: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for row in rows:
        start = _dates([row["valid_from"]], "valid_from")[0] if row["valid_from"] else dt.date.min
        end = _dates([row["valid_to"]], "valid_to")[0] if row["valid_to"] else dt.date.max
        if end < start:
            raise SettingsError(f"switchboard number {row['number']}: valid_to is before valid_from")
        for other_start, other_end in spans.get(row["number"], []):
            if start <= other_end and other_start <= end:
                raise SettingsError(
                    f"switchboard number {row['number']} has overlapping valid_from/valid_to periods"
                )
        spans.setdefault(row["number"], []).append((start, end))


def normalise_number(raw: str) -> str:
    """Digits only, Swedish national form: '+46 513-170 00' and '0513-170 00' both give '051317000'."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    if raw.strip().startswith("+46") or (raw.strip().startswith("0046")):
        digits = "0" + digits[2:] if raw.strip().startswith("+") else "0" + digits[4:]
    return digits


def _dates(values: list[Any], name: str) -> list[dt.date]:
    out = []
    for value in values:
        try:
            out.append(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
        except ValueError as exc:
            raise SettingsError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from exc
    return out


def _time(value: Any, name: str) -> dt.time:
    try:
        return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))
    except ValueError as exc:
        raise SettingsError(f"{name}: {value!r} is not a time (HH:MM)") from exc


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    start: Path | None = None,
    settings_file: Path | None = None,
) -> Settings:
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    origins: dict[str, str] = {}
    notices: list[str] = []
    found = read_settings_file(settings_file) if settings_file else find_settings_file(start)
    if found is not None:
        path, table = found
        if "smtp_password" in table:
            raise SettingsError(
                f"{path}: smtp_password is not read from a file; set the environment variable {SMTP_PASSWORD_ENV}"
            )
        unknown = sorted(set(table) - set(_BY_NAME))
        if unknown:
            raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}; see `callstats --help`")
        # The site's own file: the one named with --settings, or callstats.toml in the working folder.
        own = settings_file is not None or path.parent == (start or Path.cwd()).resolve()
        for name, value in table.items():
            if name in PRIVACY_WEAKENING and not own:
                # A settings file in a parent folder is not the site's own: anyone who can write
                # there could switch on raw numbers or plant a key.
                notices.append(
                    f"ignored {name} from {path}: settings that weaken privacy are taken only from"
                    " ./callstats.toml, --settings FILE, CALLSTATS_* variables or flags"
                )
                continue
            values[name] = _checked(_BY_NAME[name], value, str(path))
            origins[name] = str(path)
    for setting in SETTINGS:
        raw = os.environ.get(setting.env)
        if raw is not None and raw != "":
            values[setting.name] = _checked(setting, _from_env(setting, raw), setting.env)
            origins[setting.name] = setting.env
    for name, value in (overrides or {}).items():
        if value is not None:
            values[name] = _checked(_BY_NAME[name], value, "the command line") if name in _BY_NAME else value
            origins[name] = "the command line"
    _validate(values)
    return Settings(values, found[0] if found else None, origins, tuple(notices))


def _validate(values: dict[str, Any]) -> None:
    for name in ("opens_at", "closes_at", "half_day_closes_at"):
        _time(values[name], name)
    for name in ("site_tz", "source_tz"):
        zone = values[name]
        if zone:
            try:
                ZoneInfo(str(zone))
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise SettingsError(f"{name}: unknown time zone {zone!r} (e.g. Europe/Stockholm)") from exc
    for name in ("include", "exclude"):
        if isinstance(values[name], str):
            values[name] = [values[name]]
        if not all(isinstance(glob, str) and glob for glob in values[name]):
            raise SettingsError(f"{name}: a list of file-name globs, e.g. ['*.csv']")
    if values["retention"] and not re.fullmatch(r"\s*\d+\s*[mdMD]\s*", str(values["retention"])):
        raise SettingsError(f"retention: {values['retention']!r} is not an age such as 24m or 730d")
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", str(values["ingest_memory_limit"])):
        raise SettingsError("ingest_memory_limit: a size such as 1GB or 512MB")
    try:
        if float(values["baseline_calls_per_month"]) <= 0:
            raise ValueError
    except (TypeError, ValueError) as exc:
        raise SettingsError("baseline_calls_per_month must be a positive number") from exc
    try:
        if not 0 < float(values["service_level_share"]) < 1 or float(values["wrap_up_s"]) < 0:
            raise ValueError
    except (TypeError, ValueError) as exc:
        raise SettingsError("service_level_share: between 0 and 1 (e.g. 0.8); wrap_up_s: 0 or more") from exc


def settings_help() -> str:
    lines = ["settings (flag > CALLSTATS_<NAME> > callstats.toml > default):"]
    for s in SETTINGS:
        default = repr(s.default)
        lines.append(f"  {s.name:<26} {default:<20} {s.help}")
    return "\n".join(lines)
