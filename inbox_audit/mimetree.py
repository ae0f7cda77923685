"""The stdlib's MIME tree of a mail, built without feeding every body line through the
parser.

``email``'s feed parser goes line by line and checks every line of every body against
the boundaries of the parts around it; on mail with attachments that is most of the
cost of reading it. Most of those lines cannot change the tree: once a line has ended
a header block (or sits in a body), the lines after it are body text up to the next
line that starts with ``-`` (every boundary line starts with ``--``). ``mime_tree``
replaces each long run of such lines with a short marker, lets the stdlib parse what is
left, and puts the runs back into the payloads the markers landed in. The tree, its
headers, payloads and defects are then exactly what ``email.message_from_bytes`` gives,
because the parser saw the same lines everywhere a line decides anything.

Header blocks are shortened the same way: a run of header fields the parser only
stores (every field but ``Content-*``, which it reads, and names starting with ``-``,
which could be a boundary) becomes one marker field, and the fields are put back in
its place in the part's header list (or in the text, if the run was not in a header
block after all: a line that looks like a header field is plain text in a body).
A mail's own header block (Received chains, DKIM signatures, client headers) is most of
what is left of it once the body runs are out.

Whenever a shortcut could differ, the whole mail goes through the stdlib parser as it
is: line breaks other than LF and CRLF (a lone CR also ends a line for the parser),
``message/delivery-status`` bodies (read as header blocks separated by blank lines), and
any marker that did not come back in a payload.

The parser also compiles a regular expression for every boundary it meets, and every
mail has boundaries of its own, so Python's pattern cache never helps: that compile
alone cost about a third of the parse. ``_FeedparserRe`` gives the feed parser a
``re.compile`` that answers its boundary pattern with an equivalent matcher (the line
starts with the separator, and the rest matches the same tail pattern), and hands every
other pattern to ``re``.
"""

from __future__ import annotations

import email
import email.feedparser
import email.message
import re
from typing import Any

# A line that ends a header block when it appears in one, and is body text otherwise:
# not blank, not a header or continuation line (the parser's ``headerRE``), not a
# boundary (nor anything starting with "-"). Then the run: the lines after it up to the
# next line starting with "-"; blank lines are body text too. The match starts at the
# line break before that line (a first line of the mail is never shortened after):
# a literal start lets the regex engine jump from line break to line break instead of
# trying every character, and the possessive repeats keep no backtracking state.
_RUN = re.compile(
    r"\n(?![ \t\r\n-]|From |[\041-\071\073-\176]*+:)[^\n]*+\n"  # the line that stays
    r"((?:\n|[^\n-][^\n]*+\n)++)")  # the run that is replaced
# Runs shorter than this are left in place: a marker only pays for some lines.
_MIN_RUN = 400
# A header field the parser only stores: a name (up to the first colon) that is not
# "Content-..." (the parser reads Content-Type and Content-Transfer-Encoding) and does
# not start with "-" (a boundary line does), with its continuation lines. A run of such
# fields starts after a line break (or at the start of the mail).
_FIELD = (r"(?![Cc][Oo][Nn][Tt][Ee][Nn][Tt]|-)[\041-\071\073-\176]++:[^\n]*+\n"
          r"(?:[ \t][^\n]*+\n)*+")
_FIELDS = re.compile(rf"\n((?:{_FIELD})++)")
_FIRST_FIELDS = re.compile(rf"(?:{_FIELD})++")
# Runs of fewer lines are left in place.
_MIN_FIELD_LINES = 3
# One field of a run, as the parser stores it (compat32's ``header_source_parse``: the
# name up to the colon, the value without the blanks after the colon and without the
# last line break).
_SPLIT_FIELD = re.compile(r"([^:\n]*+):[ \t]*+([^\n]*+\n(?:[ \t][^\n]*+\n)*+)")
# U+E000 cannot occur in text decoded from bytes as ASCII with surrogate escapes (the
# way the stdlib reads mail), so a marker can never be mistaken for mail text.
_MARK = "\ue000"
_FIELDS_NAME = "X-Inbox-Audit-Fields"
_FIELDS_VALUE = re.compile(f"{_MARK}(\\d+){_MARK}")


def mime_tree(data: bytes) -> email.message.Message:
    """What ``email.message_from_bytes(data)`` returns (compat32), built faster."""
    text = data.decode("ascii", "surrogateescape")
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return email.message_from_string(text)  # lone CRs: the parser's own lines
    runs: list[str] = []
    skeleton = _RUN.sub(lambda m: _hollow(m, runs), text)
    # A delivery-status part is declared in a header block, and no header block is ever
    # in a run: the (much shorter) skeleton is enough to look in.
    if "delivery-status" in skeleton.lower():
        return email.message_from_string(text)
    skeleton = _hollow_fields(skeleton, runs)
    if not runs:
        return email.message_from_string(text)
    tree = email.message_from_string(skeleton)
    if _restore(tree, runs) != len(runs):
        return email.message_from_string(text)  # a run landed where text is dropped
    return tree


def _hollow(match: re.Match[str], runs: list[str]) -> str:
    """The matched lines with the run after the first line replaced by a marker; the
    run's last line break stays, so the parser still sees where its last line ends."""
    run = match.group(1)
    end = len(run) - (2 if run.endswith("\r\n") else 1)
    if end < _MIN_RUN:
        return match.group(0)
    runs.append(run[:end])
    first = match.group(0)[:match.start(1) - match.start(0)]
    return f"{first}{_MARK}{len(runs) - 1}{_MARK}{run[end:]}"


def _hollow_fields(skeleton: str, runs: list[str]) -> str:
    """``skeleton`` with each run of ``_MIN_FIELD_LINES`` or more header fields the
    parser only stores replaced by one marker field; the run's last line break stays."""
    def hollow(match: re.Match[str], start: str) -> str:
        fields = match.group(0)[len(start):]
        if fields.count("\n") < _MIN_FIELD_LINES:
            return match.group(0)
        end = len(fields) - (2 if fields.endswith("\r\n") else 1)
        runs.append(fields[:end])
        return f"{start}{_FIELDS_NAME}: {_MARK}{len(runs) - 1}{_MARK}{fields[end:]}"

    # The mail's own header block starts the text, with no line break before it.
    first = _FIRST_FIELDS.match(skeleton)
    head, rest = (hollow(first, ""), skeleton[first.end():]) if first else ("", skeleton)
    return head + _FIELDS.sub(lambda m: hollow(m, "\n"), rest)


def _fields(run: str) -> list[tuple[str, str]]:
    """The (name, value) pairs the parser would have stored for a run of fields."""
    return [(name, value.rstrip("\r\n")) for name, value in _SPLIT_FIELD.findall(run + "\n")]


def _restore(tree: email.message.Message, runs: list[str]) -> int:
    """Put every run back where its marker is; the number of markers found."""
    found = 0

    def put_back(value: str) -> str:
        nonlocal found
        if _FIELDS_NAME in value:  # a run of fields that was text: drop its field name
            value = value.replace(f"{_FIELDS_NAME}: {_MARK}", _MARK)
        pieces = value.split(_MARK)  # text, run number, text, run number, ..., text
        found += len(pieces) // 2
        pieces[1::2] = [runs[int(number)] for number in pieces[1::2]]
        return "".join(pieces)

    for part in tree.walk():
        if any(name == _FIELDS_NAME for name, _ in part._headers):
            headers: list[tuple[str, str]] = []
            for name, value in part._headers:
                marker = _FIELDS_VALUE.fullmatch(value) if name == _FIELDS_NAME else None
                if marker is None:
                    headers.append((name, value))
                else:
                    headers += _fields(runs[int(marker.group(1))])
                    found += 1
            part._headers = headers
        if isinstance(part._payload, str) and _MARK in part._payload:
            part._payload = put_back(part._payload)
        if part.preamble and _MARK in part.preamble:
            part.preamble = put_back(part.preamble)
        if part.epilogue and _MARK in part.epilogue:
            part.epilogue = put_back(part.epilogue)
    return found


# The pattern feedparser builds for a boundary line:
#   '(?P<sep>' + re.escape(separator) + r')(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$'
_TAIL_SOURCE = r"(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
_TAIL = re.compile(_TAIL_SOURCE)
_ESCAPED = re.compile(r"\\(.)", re.S)


class _BoundaryMatcher:
    """``re.compile(boundary pattern).match``, without compiling: the separator is a
    literal, so a line matches when it starts with it and the rest matches the tail."""

    __slots__ = ("separator",)

    def __init__(self, separator: str) -> None:
        self.separator = separator

    def match(self, line: str) -> re.Match[str] | None:
        if line.startswith(self.separator):
            return _TAIL.match(line, len(self.separator))
        return None


class _FeedparserRe:
    """The ``re`` module as ``email.feedparser`` sees it: boundary patterns become
    ``_BoundaryMatcher``s, everything else is ``re`` itself."""

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    def compile(self, pattern: Any, flags: int = 0) -> Any:
        if (flags == 0 and isinstance(pattern, str) and pattern.startswith("(?P<sep>")
                and pattern.endswith(")" + _TAIL_SOURCE)):
            escaped = pattern[len("(?P<sep>"):-len(")" + _TAIL_SOURCE)]
            # Without an escaped backslash, dropping the backslashes undoes re.escape
            # (checked below either way); a regex substitution costs ten times more.
            separator = (escaped.replace("\\", "") if "\\\\" not in escaped
                         else _ESCAPED.sub(r"\1", escaped))
            if re.escape(separator) == escaped:
                return _BoundaryMatcher(separator)
        return re.compile(pattern, flags)


email.feedparser.re = _FeedparserRe()  # type: ignore[assignment]
