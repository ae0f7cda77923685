"""Raw mail from files: single .eml files, folders of them, mbox files and maildirs.

Bytes are handed on exactly as stored (no re-encoding by the stdlib ``mailbox`` module),
so the store keeps what the user's mail program wrote. An mbox is streamed line by
line: a multi-GB archive never sits in memory.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from inbox_audit.errors import SourceError

Progress = Callable[[int, int | None], None]

_ESCAPED_FROM = re.compile(rb"(?m)^>(>*From )")
# A real separator ("From sender Mon Nov  3 09:15:00 2025") always carries a time; an
# unescaped body line such as "From the team" after a blank line does not. It follows a
# blank line (the file start counts as one: see ``_mbox_entries``).
_SEPARATOR = re.compile(rb"From \S+ .*\b\d{1,2}:\d\d")
_BLANK = (b"\n", b"\r\n")
_BLOCK = 1 << 20
_MONTHS = {name.encode(): number for number, name in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}
_ASCTIME = re.compile(rb" (?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(" + b"|".join(_MONTHS) +
                      rb") +(\d{1,2}) +(\d{1,2}):(\d\d):(\d\d) +(?:[+-]\d{4} +)?(\d{4})\b")
# Maildir file names start with the delivery time: "1762160100.M1P2.host:2,S".
_MAILDIR_TIME = re.compile(r"^(\d{9,10})\.")


@dataclass(frozen=True)
class RawMail:
    """One mail's bytes, where it came from (for people) and its folder name.

    ``internaldate`` is when the mailbox received it, when the source records that
    (maildir file names, mbox "From " lines); the parser uses it when Date is unusable.
    ``sha256`` is the hex SHA-256 of ``raw`` once known (the import hashes every mail
    to skip stored ones; the parser then need not hash it again).
    """

    raw: bytes
    origin: str
    folder: str
    internaldate: datetime | None = None
    sha256: str | None = None


def check_paths(paths: Sequence[Path]) -> None:
    """Raise ``SourceError`` naming the first path that is missing or unreadable."""
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise SourceError(f"{path}: no such file or folder")
        mode = os.R_OK | (os.X_OK if path.is_dir() else 0)
        if not os.access(path, mode):
            raise SourceError(f"{path}: permission denied")
        if not (path.is_dir() or path.is_file()):
            raise SourceError(f"{path}: not a file or folder")


def iter_raw_mail(paths: Sequence[Path], progress: Progress | None = None) -> Iterator[RawMail]:
    """Every mail in ``paths``, in a stable order.

    All paths are checked first: a missing or unreadable one raises ``SourceError``
    before anything is yielded. ``progress(bytes_read, total_bytes)`` is called as
    the files are read. An empty file yields nothing.
    """
    paths = [Path(p) for p in paths]
    check_paths(paths)
    files = [item for path in paths for item in _files(path)]
    return _read(files, progress)


# A file to read: path, how (eml / mbox / sniff) and the folder its mail belongs to.
_File = tuple[Path, str, str]


def _read(files: list[_File], progress: Progress | None) -> Iterator[RawMail]:
    total = sum(_size(path) for path, _, _ in files)
    done = 0

    def advance(size: int) -> None:
        nonlocal done
        done += size
        if progress is not None:
            progress(done, total)

    for path, kind, folder in files:
        try:
            if kind == "sniff":
                kind = "mbox" if _is_mbox(path) else "eml"
                folder = path.stem if kind == "mbox" else folder
            if kind == "mbox":
                yield from _mbox(path, folder, advance)
            else:
                size = _size(path)
                if size:
                    yield RawMail(path.read_bytes(), str(path), folder, _maildir_time(path))
                advance(size)
        except OSError as exc:
            raise SourceError(f"{path}: {exc.strerror or exc}") from exc


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as fh:
        return _SEPARATOR.match(fh.readline(1000)) is not None


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _files(path: Path) -> list[_File]:
    if path.is_file():
        kind = "eml" if path.suffix.lower() == ".eml" else "sniff"
        return [(path, kind, path.resolve().parent.name)]
    if _is_maildir(path):
        return _maildir(path, _maildir_name(path.resolve().name))
    return _folder(path)


def _maildir_name(name: str) -> str:
    if name.startswith("."):  # Maildir++ subfolder: ".Leveranciers.Peeters"
        return name[1:].replace(".", "/")
    return "INBOX" if name.lower() in ("maildir", "inbox", "mail", "mailbox", "") else name


def _folder(root: Path) -> list[_File]:
    """A folder of .eml (and .mbox) files, recursively; maildirs inside are read as such."""
    found: list[_File] = []
    for entry in sorted(root.iterdir()):
        if entry.is_symlink() and entry.is_dir():
            continue  # a linked folder may loop back; the user can name it directly
        if entry.is_dir():
            if _is_maildir(entry):
                found += _maildir(entry, _maildir_name(entry.name))
            else:
                found += _folder(entry)
        elif entry.suffix.lower() == ".eml":
            found.append((entry, "eml", root.resolve().name))
        elif entry.suffix.lower() == ".mbox":
            found.append((entry, "mbox", entry.stem))
    return found


def _maildir(root: Path, name: str) -> list[_File]:
    """A maildir, its Maildir++ subfolders (".Sent", ".A.B") and nested maildirs."""
    found: list[_File] = []
    for sub in ("new", "cur"):  # tmp holds deliveries in progress: not mail yet
        found += [(f, "eml", name) for f in sorted((root / sub).iterdir()) if f.is_file()]
    for entry in sorted(root.iterdir()):
        if entry.name in ("cur", "new", "tmp") or not entry.is_dir():
            continue
        if _is_maildir(entry):
            child = _maildir_name(entry.name)
            if not entry.name.startswith(".") and name != "INBOX":
                child = f"{name}/{entry.name}"  # nested (Dovecot LAYOUT=fs)
            found += _maildir(entry, child)
    return found


def _maildir_time(path: Path) -> datetime | None:
    if path.parent.name not in ("cur", "new"):
        return None
    match = _MAILDIR_TIME.match(path.name)
    return datetime.fromtimestamp(int(match.group(1)), UTC) if match else None


def _from_line_time(line: bytes) -> datetime | None:
    # "From sender Mon Nov  3 09:15:00 2025": asctime in the delivering host's
    # (unknown) zone, read as UTC; only ever a last resort for the clock.
    # Gmail Takeout puts a zone before the year: "... Sat Nov 01 12:00:00 +0000 2025".
    match = _ASCTIME.search(line)
    if match is not None:  # the usual form, read without strptime (a tenth of the time)
        month, day, hour, minute, second, year = match.groups()
        with contextlib.suppress(ValueError):
            return datetime(int(year), _MONTHS[month], int(day), int(hour), int(minute),
                            int(second), tzinfo=UTC)
    words = [w for w in line.decode("ascii", "replace").split()
             if not re.fullmatch(r"[+-]\d{4}", w)]
    for start in range(2, max(2, len(words) - 4) + 1):
        try:
            parsed = time.strptime(" ".join(words[start:start + 5]), "%a %b %d %H:%M:%S %Y")
        except ValueError:
            continue
        return datetime(*parsed[:6], tzinfo=UTC)
    return None


def _mbox(path: Path, folder: str, advance: Callable[[int], None]) -> Iterator[RawMail]:
    """Stream an mbox: a message starts at a "From " line at the file start or after a
    blank line; ">From " lines are unescaped (mboxrd, which also covers mboxo)."""
    number = 0
    offset = 0
    with path.open("rb") as fh:
        for envelope, body, end in _mbox_entries(fh):
            number += 1
            advance(end - offset)
            offset = end
            # The blank line before the next "From " belongs to the mbox, not the mail.
            if body in _BLANK or body.endswith((b"\n\n", b"\n\r\n")):
                body = body[:-2] if body.endswith(b"\r\n") else body[:-1]
            if b">From " in body:
                body = _ESCAPED_FROM.sub(rb"\1", body)
            yield RawMail(body, f"{path}#{number}", folder, _from_line_time(envelope))


def _mbox_entries(fh: BinaryIO) -> Iterator[tuple[bytes, bytes, int]]:
    """(separator line, the bytes up to the next separator, file offset of that end) of
    each mbox entry. Reads blocks and jumps from one "\\nFrom " to the next with
    ``bytes.find`` instead of looking at every line in Python (most of the time of a
    big import)."""
    # A blank line stands before the file start: a separator there counts too.
    buf = b"\n\n"
    base = -2  # file offset of buf[0]
    envelope: bytes | None = None
    body_start = scan = 0
    eof = False
    while True:
        found = _next_separator(buf, scan, eof)
        if isinstance(found, tuple):
            start, end = found
            if envelope is not None:
                yield envelope, buf[body_start:start], base + start
            envelope, body_start = buf[start:end], end
            scan = end - 1
            continue
        if eof:
            if envelope is not None:
                yield envelope, buf[body_start:], base + len(buf)
            return
        # Keep the entry in progress (before the first separator: only the bytes from
        # where the search goes on, ``found``).
        keep = body_start if envelope is not None else found
        buf, base = buf[keep:], base + keep
        # (``found`` may point just before the entry: nothing there can be a separator.)
        body_start, scan = body_start - keep, max(0, found - keep)
        block = fh.read(_BLOCK)
        eof = not block
        buf += block


def _next_separator(buf: bytes, scan: int, eof: bool) -> tuple[int, int] | int:
    """(start, end) of the first separator line after ``scan`` (the "\\n" that ends
    the line before it), or, when there is none in ``buf`` yet, where to search again
    once more bytes have come."""
    while (newline := buf.find(b"\nFrom ", scan)) >= 0:
        start = newline + 1
        blank_before = buf[newline - 1:newline] == b"\n" or buf[newline - 2:newline] == b"\n\r"
        end = buf.find(b"\n", start) + 1
        if not end:
            if not eof:
                return max(0, newline - 2)  # the line is not all here yet
            end = len(buf)
        if blank_before and _SEPARATOR.match(buf, start, end):
            return start, end
        scan = start
    return max(0, len(buf) - 7)
