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
# U+E000 cannot occur in text decoded from bytes as ASCII with surrogate escapes (the
# way the stdlib reads mail), so a marker can never be mistaken for mail text.
_MARK = "\ue000"
_MARKER = re.compile(_MARK + r"(\d+)" + _MARK)


def mime_tree(data: bytes) -> email.message.Message:
    """What ``email.message_from_bytes(data)`` returns (compat32), built faster."""
    text = data.decode("ascii", "surrogateescape")
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return email.message_from_string(text)  # lone CRs: the parser's own lines
    runs: list[str] = []
    skeleton = _RUN.sub(lambda m: _hollow(m, runs), text)
    # A delivery-status part is declared in a header block, and no header block is ever
    # in a run: the (much shorter) skeleton is enough to look in.
    if not runs or "delivery-status" in skeleton.lower():
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


def _restore(tree: email.message.Message, runs: list[str]) -> int:
    """Put every run back where its marker is; the number of markers found."""
    found = 0

    def put_back(value: str) -> str:
        nonlocal found
        found += value.count(_MARK) // 2
        return _MARKER.sub(lambda m: runs[int(m.group(1))], value)

    for part in tree.walk():
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
            separator = _ESCAPED.sub(r"\1", escaped)
            if re.escape(separator) == escaped:
                return _BoundaryMatcher(separator)
        return re.compile(pattern, flags)


email.feedparser.re = _FeedparserRe()  # type: ignore[assignment]
