"""Exceptions that are the user's to fix: the CLI prints their one line and exits non-zero."""

from __future__ import annotations

from pipeline.config import SettingsError
from pipeline.formats.base import FormatError
from pipeline.pseudonym import PseudonymKeyError
from pipeline.sql_guard import SqlFailed, SqlLimitError, SqlRefused, SqlTimeout
from pipeline.store import StoreError


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
