"""Which files an ingest reads: files as given, folders walked with include/exclude globs, the
pseudonymisation key and links out of a folder left out with their reason; and what identifies a
file (its sha256) and its layout (its column count)."""

from __future__ import annotations

import csv
import fnmatch
import gzip
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline import store

# A site's settings file may sit beside its exports (the sample site's does); it is never a call log.
SETTINGS_FILE_NAMES = frozenset({"callstats.toml"})


@dataclass(frozen=True)
class Skipped:
    """A file found but not read, and why (the ingest's summary lists it)."""

    path: Path
    reason: str


def expand_paths(
    paths: Iterable[Path], include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> list[Path]:
    """The files `select_inputs` takes (the skipped ones left out)."""
    return select_inputs(paths, include=include, exclude=exclude)[0]


def select_inputs(
    paths: Iterable[Path],
    key_file: Path | None = None,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> tuple[list[Path], list[Skipped]]:
    """The files to read, and the files skipped with their reason: files as given, folders
    recursively (hidden files and settings files skipped), in a stable order.

    Inside a folder, `include` globs (any of them; none means every file) and `exclude` globs pick
    the files: a glob with a '/' is matched against the path below the folder, any other against the
    file name. A file named on the command line is always taken. A folder with nothing to take is an
    error: an empty or mistyped export means the export did not run, and must not look like a quiet
    night.

    Inside a folder, a link that leads out of the folder is not followed (a link to the key, to
    /etc, to another site's exports); the pseudonymisation key is never read as input, however it
    is named or reached.
    """
    found: list[Path] = []
    skipped: list[Skipped] = []
    # By identity, not by name: a link or a hard link to the key is the key.
    key = _identity(key_file) if key_file is not None else None

    def take(path: Path, root: Path | None) -> None:
        target = path.resolve()
        if key is not None and _identity(path) == key:
            skipped.append(Skipped(path, "the pseudonymisation key is never read as input"))
        elif root is not None and not target.is_relative_to(root):
            skipped.append(Skipped(path, f"a link out of the input folder (to {target})"))
        else:
            found.append(path)

    for path in paths:
        if path.is_dir():
            root = path.resolve()
            inside = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.name not in SETTINGS_FILE_NAMES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not inside:
                raise store.StoreError(f"no files in {path}")
            taken = [p for p in inside if _selected(p.relative_to(path), include, exclude)]
            if not taken:
                rules = " ".join(
                    [*(f"--include {g!r}" for g in include), *(f"--exclude {g!r}" for g in exclude)]
                )
                raise store.StoreError(f"none of the {len(inside)} files in {path} match {rules}")
            for item in taken:
                take(item, root)
        elif path.is_file():
            take(path, None)
        else:
            raise store.StoreError(f"no such file or folder: {path}")
    return found, skipped


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _selected(relative: Path, include: Sequence[str], exclude: Sequence[str]) -> bool:
    def matches(glob: str) -> bool:
        target = relative.as_posix() if "/" in glob else relative.name
        return fnmatch.fnmatchcase(target, glob)

    return (not include or any(matches(g) for g in include)) and not any(matches(g) for g in exclude)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def column_count(path: Path) -> int | None:
    """Fields in the first non-empty line, split at the commonest of , ; tab | (quotes respected).
    Enough to notice an export whose layout changed; None for a file with no text line."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
        if head[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as handle:
                head = handle.read(65536)
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    line = next((candidate for candidate in text.splitlines() if candidate.strip()), "")
    if not line:
        return None
    delimiter = max(",;\t|", key=line.count)
    return len(next(csv.reader([line], delimiter=delimiter)))
