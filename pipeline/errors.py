"""Exceptions that are the user's to fix, and the exit codes every command keeps to.

The exit codes are documented in the README and relied on by cron, systemd and monitoring.
"""

from __future__ import annotations

from pipeline.config import SettingsError
from pipeline.formats.base import FormatError
from pipeline.pseudonym import PseudonymKeyError
from pipeline.sql_guard import SqlFailed, SqlLimitError, SqlRefused, SqlTimeout
from pipeline.store import StoreError

EXIT_OK = 0  # everything loaded (or nothing new); status: fresh and healthy
EXIT_FAILED = 1  # some files failed (the rest published), or --strict and rows were rejected
EXIT_USAGE = 2  # usage or settings error: found before any work, nothing done
EXIT_INTERRUPTED = 3  # Ctrl-C or SIGTERM: nothing published from this run
EXIT_LOCKED = 4  # another ingest or purge holds the lock


class UsageError(Exception):
    """Arguments that do not fit together."""


USER_ERRORS: tuple[type[Exception], ...] = (
    SettingsError,
    StoreError,
    FormatError,
    PseudonymKeyError,
    SqlFailed,
    SqlLimitError,
    SqlRefused,
    SqlTimeout,
    UsageError,
)
