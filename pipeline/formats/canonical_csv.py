"""The callstats CSV read by DuckDB itself: the fast path for the canonical format.

DuckDB's reader is the engine's speed limit, keeps memory flat on large files, and reports each
malformed line (wrong field count, bad encoding) with its line number instead of failing the file.
Every value is read as text; the ingest's SQL parses and judges it, as for every other format.

The file may also come back from a spreadsheet: Swedish Excel saves "CSV" with `;` between fields,
in Windows-1252, with CRLF line ends and decimal commas. The header line tells which: its delimiter
is the one of `,`, `;` and tab that it holds, and a header that is not UTF-8 means Windows-1252.
Such a file is read all the same, with a notice; a Windows-1252 file is first converted to UTF-8
in a temporary file (DuckDB reads UTF-8, and its Latin-1 reader refuses the bytes 0x80–0x9F that
Windows-1252 uses for €, – and ’). Decimal commas are the normalising SQL's concern.
"""

from __future__ import annotations

import atexit
import contextlib
import gzip
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.formats.base import (
    CANONICAL_COLUMNS,
    REQUIRED_COLUMNS,
    FormatError,
    ParsedFile,
    RowIssue,
    empty_calls,
)
from pipeline.formats.csv_lines import RecordsMismatch, count_records, read_lines

SOURCE_SYSTEM = "callstats"
__all__ = [
    "RecordsMismatch",
    "finish_canonical_csv",
    "looks_canonical",
    "stage_canonical_csv",
    "stage_canonical_lines",
]


DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
# The encoding is judged on the file's first MiB: a Windows-1252 byte further on still reaches the
# reader, which rejects that line as invalid UTF-8 with its line number (never silently).
ENCODING_SAMPLE = 1 << 20


@dataclass(frozen=True)
class Dialect:
    """How the file is written: its header's column names, delimiter and encoding."""

    header: list[str]
    delimiter: str = ","
    encoding: str = "utf-8"

    @property
    def is_plain(self) -> bool:
        return self.delimiter == "," and self.encoding == "utf-8"

    def notice(self) -> str:
        parts = [f"{DELIMITER_NAMES[self.delimiter]}-separated"]
        if self.encoding != "utf-8":
            parts.append("Windows-1252")
        return f"read as a spreadsheet saves it ({', '.join(parts)}); decimal commas accepted"


def read_dialect(path: Path) -> Dialect:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            head = handle.read(ENCODING_SAMPLE)
    except (OSError, EOFError) as exc:
        raise FormatError(f"cannot read {path.name}: {exc}") from exc
    first = head.split(b"\n", 1)[0][: 1 << 16]
    if not first.strip():
        raise FormatError(f"{path.name} is empty")
    encoding = "utf-8" if _is_utf8(head) else "cp1252"
    text = first.decode("utf-8-sig") if encoding == "utf-8" else first.decode("cp1252", errors="replace")
    line = text.rstrip("\r\n")
    delimiter = max(DELIMITERS, key=line.count)
    header = [name.strip().strip('"').lower() for name in line.split(delimiter)]
    return Dialect(header, delimiter, encoding)


def _is_utf8(head: bytes) -> bool:
    """The sample is UTF-8: it decodes as such (a character cut off at its end allowed), or it holds
    real UTF-8 letters beside a few bad bytes. A mixed file stays UTF-8, so its bad lines are rejected
    one by one instead of every 'å' of the good lines turning into 'Ã¥'."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(head) - 3:
            return True
        text = head.decode("utf-8", errors="replace")
        return any(ord(ch) > 127 and ch != "\ufffd" for ch in text)
    return True


def read_header(path: Path) -> list[str]:
    return read_dialect(path).header


def looks_canonical(path: Path) -> bool:
    """The header names the required canonical columns (checked before any adapter is consulted)."""
    try:
        header = read_header(path)
    except FormatError:
        return False
    return all(c in header for c in REQUIRED_COLUMNS)


def stage_canonical_csv(con: duckdb.DuckDBPyConnection, path: Path) -> ParsedFile:
    dialect = read_dialect(path)
    header = dialect.header
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FormatError(f"{path.name}: missing required column(s) {', '.join(missing)} in the header")
    if len(set(header)) != len(header):
        raise FormatError(f"{path.name}: a column name appears twice in the header")
    extra = [c for c in header if c not in CANONICAL_COLUMNS]
    columns = {f"c{i}": "VARCHAR" for i in range(len(header))}
    select = ", ".join(
        f"c{header.index(c)} as {c}" if c in header else f"cast(null as varchar) as {c}"
        for c in CANONICAL_COLUMNS
    )
    con.execute("drop table if exists file_rejects; drop table if exists file_scans").fetchall()
    # A Windows-1252 file is read from its UTF-8 copy (a temporary file with a generated name).
    source, compression = _as_itself(path) if dialect.encoding == "utf-8" else (_as_utf8(path), "none")
    delim = "\\t" if dialect.delimiter == "\t" else dialect.delimiter
    # A view, not a table: the file is read once, by the normalising query itself. Malformed lines
    # land in file_rejects during that read; finish_canonical_csv() accounts for them afterwards.
    con.execute(
        f"create or replace temp view staged as"
        f" select row_number() over () + 1 as line_no, {select} from read_csv({_literal(source)},"
        f" header = true, columns = {_struct(columns)}, delim = '{delim}', quote = '\"', escape = '\"',"
        f" compression = '{compression}',"
        " auto_detect = false, strict_mode = true, store_rejects = true, rejects_table = 'file_rejects',"
        " rejects_scan = 'file_scans', max_line_size = 1048576)"
    ).fetchall()
    notices = [f"ignored unknown column(s): {', '.join(extra)}"] if extra else []
    if not dialect.is_plain:
        notices.insert(0, dialect.notice())
    return ParsedFile(
        format="callstats",
        source_system=SOURCE_SYSTEM,
        calls=empty_calls(),
        records_read=0,  # known once the file has been read: finish_canonical_csv()
        notices=notices,
        direction_known=True,  # one row per offered call: inbound by definition
        read_lazily=True,
    )


def finish_canonical_csv(con: duckdb.DuckDBPyConnection, parsed: ParsedFile, path: Path) -> None:
    """After the file was read through the lazy `staged` view: account for malformed lines, and
    check that the reader accounted for every non-empty line of the file (RecordsMismatch if not:
    the caller then reads the file again line by line, pipeline.formats.csv_lines)."""
    rejects = con.execute(
        "select line, any_value(csv_line), string_agg(distinct error_type::varchar, ', ')"
        " from file_rejects group by line order by line"
    ).fetchall()
    good = con.execute("select coalesce(sum(records), 0) from judged_summary").fetchall()[0][0]
    expected = count_records(path)
    if int(good) + len(rejects) != expected:
        raise RecordsMismatch(
            f"the CSV reader accounted for {int(good) + len(rejects)} of {expected} lines"
            " (an unterminated quote or a line break inside a quoted field?)"
        )
    if rejects:
        # The scan numbers good records from line 2 on; shift each past the rejected lines before it.
        con.execute(
            "create or replace temp table reject_lines as"
            " select line - 2 - (row_number() over (order by line) - 1) as good_before from file_rejects"
            " group by line"
        ).fetchall()
        con.execute(
            "update judged_summary set line_no = line_no"
            " + (select count(*) from reject_lines as r where r.good_before < judged_summary.line_no - 1)"
            " where line_no is not null"
        ).fetchall()
    parsed.rejected = [
        RowIssue(int(line), (raw or "")[:2000], f"malformed line: {kind.lower()}")
        for line, raw, kind in rejects
    ]
    parsed.records_read = int(good) + len(parsed.rejected)
    con.execute("drop table if exists file_rejects; drop table if exists file_scans").fetchall()
    _remove_converted()


# Windows-1252 files converted to UTF-8 for DuckDB: removed once the file has been read, and at exit
# whatever a failed read left behind.
_CONVERTED: list[Path] = []


def _as_utf8(path: Path) -> Path:
    """A UTF-8 copy of a Windows-1252 file, decoded in blocks (the five bytes Windows-1252 leaves
    undefined become U+FFFD, so a stray binary byte shows in the rejected row rather than failing)."""
    handle, name = tempfile.mkstemp(prefix="callstats-", suffix=".csv")
    target = Path(name)
    _CONVERTED.append(target)
    opener = gzip.open if path.name.endswith(".gz") else open
    with (
        opener(path, "rb") as raw,
        io.TextIOWrapper(raw, encoding="cp1252", errors="replace", newline="") as text,
        os.fdopen(handle, "w", encoding="utf-8", newline="") as out,
    ):
        shutil.copyfileobj(text, out, 1 << 20)
    return target


def _remove_converted() -> None:
    while _CONVERTED:
        _CONVERTED.pop().unlink(missing_ok=True)


atexit.register(_remove_converted)


def stage_canonical_lines(con: duckdb.DuckDBPyConnection, path: Path, why: str) -> ParsedFile:
    """The careful reading: one physical line per record, into the temp table `staged`."""
    header = read_header(path)
    frame, rejected, records = read_lines(path, header)
    con.register("parsed_calls", frame.to_arrow())
    try:
        con.execute(
            "create or replace temp table staged as select line_no, "
            + ", ".join(CANONICAL_COLUMNS)
            + " from parsed_calls"
        ).fetchall()
    finally:
        con.unregister("parsed_calls")
    extra = [c for c in header if c not in CANONICAL_COLUMNS]
    notices = [f"read line by line: {why}"]
    if extra:
        notices.append(f"ignored unknown column(s): {', '.join(extra)}")
    return ParsedFile(
        format="callstats",
        source_system=SOURCE_SYSTEM,
        calls=empty_calls(),
        records_read=records,
        rejected=rejected,
        notices=notices,
        direction_known=True,
    )


# Descriptors of the files being read through /dev/fd (see _as_itself); closed by release_inputs().
_open_inputs: list[int] = []


def _as_itself(path: Path) -> tuple[Path, str]:
    """A name for the file that DuckDB cannot take for a pattern.

    DuckDB's readers expand `*`, `?`, `[…]` and `{…}` in a file name: a file named `*.csv` would make
    it read every CSV of the folder, hidden ones included, under that one file's id. The file is
    opened here and handed over as /dev/fd/N, which names exactly the file that was opened; its
    compression is then given explicitly, since the name no longer ends in `.gz`.
    """
    compression = "gzip" if path.name.endswith(".gz") else "none"
    descriptor = os.open(path, os.O_RDONLY)
    _open_inputs.append(descriptor)
    return Path(f"/dev/fd/{descriptor}"), compression


def release_inputs() -> None:
    """Close the descriptors of files read through /dev/fd (after the file's ingest)."""
    while _open_inputs:
        with contextlib.suppress(OSError):
            os.close(_open_inputs.pop())


def _literal(path: Path) -> str:
    # A view cannot hold bound parameters, so the path is written as a quoted SQL string literal.
    return "'" + str(path).replace("'", "''") + "'"


def _struct(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"
