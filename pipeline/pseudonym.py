"""Keyed pseudonyms for caller numbers (HMAC-SHA256).

A plain hash of a phone number is not a pseudonym: Swedish numbers are few enough to hash them all.
A keyed hash is, as long as the key stays outside the database. The key is created on first use,
readable by its owner only; losing it only means new pseudonyms from then on.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path


class PseudonymKeyError(Exception):
    """The key file exists but cannot be used."""


def _check_private(path: Path) -> None:
    """The key must be the owner's alone: a key others can read turns pseudonyms back into numbers
    (every Swedish number can be tried), and a folder others can write lets them swap the key."""
    folder = path.parent
    if folder.exists() and stat.S_IMODE(folder.stat().st_mode) & 0o026:
        raise PseudonymKeyError(
            f"the folder of the pseudonymisation key {folder} is open to others"
            f" (mode {stat.S_IMODE(folder.stat().st_mode):04o}): chmod 700 {folder}"
        )
    if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise PseudonymKeyError(
            f"the pseudonymisation key {path} is readable by others"
            f" (mode {stat.S_IMODE(path.stat().st_mode):04o}): chmod 600 {path}"
        )


def load_or_create_key(path: Path) -> bytes:
    _check_private(path)
    if path.exists():
        text = path.read_text(encoding="ascii").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError as exc:
            raise PseudonymKeyError(
                f"pseudonymisation key {path} is not hex; restore it or remove it"
            ) from exc
        if len(key) < 16:
            raise PseudonymKeyError(f"pseudonymisation key {path} is too short")
        return key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key


def pseudonym(key: bytes, number: str) -> str:
    # 16 hex digits (64 bits): collisions are negligible for a switchboard's few hundred thousand
    # callers, and the value is short enough to read in a query result.
    return hmac.new(key, number.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer HMAC-SHA256 pads of a key (RFC 2104), so that the database can compute
    the same pseudonym as `pseudonym()` in bulk: sha256(opad || sha256(ipad || message))."""
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)
