"""The stdlib's MIME tree of a mail, built without feeding every body line through the
parser.

``email``'s feed parser goes line by line and checks every line of every body against
the boundaries of the parts around it; on mail with attachments that is most of the
cost of reading it. Well-formed mail (nearly all of it) is built directly instead:
``_part`` reads a header block with one regular expression, finds a multipart's
boundary lines with ``str.find`` and fills ``email.message.Message`` objects exactly as
the feed parser would (headers as compat32's ``header_source_parse`` stores them,
payloads, preamble and epilogue without the line break that belongs to the boundary).
It only takes mail where the feed parser records no defect and nothing reads lines in
another way: anything else (a defect, a "From " line inside a header block, message/*
and multipart/digest parts, empty parts, lone CRs) raises ``_Unusual`` and the mail
goes the way below.

That way keeps the feed parser but shortens its input. Most body lines cannot change
the tree: once a line has ended a header block (or sits in a body), the lines after it
are body text up to the next line that starts with ``-`` (every boundary line starts
with ``--``). ``mime_tree`` replaces each long run of such lines with a short marker,
lets the stdlib parse what is left, and puts the runs back into the payloads the
markers landed in. The tree, its headers, payloads and defects are then exactly what
``email.message_from_bytes`` gives, because the parser saw the same lines everywhere a
line decides anything.

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
from itertools import pairwise
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
    try:
        return _part(text, 0, len(text), 0)
    except Exception:  # _Unusual, or what the stdlib raises on its own path too
        pass
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


class _Unusual(Exception):
    """The mail holds something the direct builder leaves to the feed parser."""


# A header block as the feed parser reads it from a well-formed part: fields (a name of
# the characters its ``headerRE`` allows, at least one, then a colon) with their
# continuation lines, every line ending in "\n". Lines of other kinds end a header
# block in ways the direct builder does not copy (defects, "From " lines).
_HEADER_BLOCK = re.compile(r"(?:[\041-\071\073-\176]++:[^\n]*+\n(?:[ \t][^\n]*+\n)*+)*+")
# One field of such a block: the name, and the value as compat32's
# ``header_source_parse`` keeps it once its last line breaks are stripped.
_HEADER_FIELD = re.compile(r"([\041-\071\073-\176]++):[ \t]*+([^\n]*+\n(?:[ \t][^\n]*+\n)*+)")
_PLAIN_CTE = ("7bit", "8bit", "binary")
# A Content-Type value whose only parameter is the boundary, quoted or a plain token,
# with nothing the stdlib's parameter reading would transform (quotes or backslashes
# inside, "<...>", RFC 2231 "*"); ``get_boundary()`` gives the boundary's text.
_SIMPLE_BOUNDARY = re.compile(
    r'[^;"\\=]*+;[ \t\r\n]*+boundary[ \t\r\n]*+=[ \t\r\n]*+'
    r'(?:([^"\\;<>\s][^"\\;<>\s]*+)|"([^"\\;<>]*+)")[ \t\r\n]*+', re.IGNORECASE)
_MAX_DEPTH = 50  # deeper nesting goes to the feed parser, whatever it makes of it


def _part(text: str, start: int, end: int, depth: int) -> email.message.Message:
    """The part the feed parser builds from the lines ``text[start:end]`` (``end`` at a
    line start or at the end of the text), where it reads it without recording any
    defect; raises ``_Unusual`` for anything else (a defect, a "From " line inside a
    header block, message/* and multipart/digest parts, a multipart that is not one
    preamble, parts and an epilogue)."""
    msg = email.message.Message()
    pos = start
    if text.startswith("From ", pos, end):  # the envelope line, first in a header block
        eol = text.find("\n", pos, end)
        if eol < 0:
            raise _Unusual
        msg._unixfrom = text[pos:eol - 1 if text[eol - 1] == "\r" else eol]
        pos = eol + 1
    block_end = _HEADER_BLOCK.match(text, pos, end).end()
    msg._headers = [(name, value.rstrip("\r\n"))
                    for name, value in _HEADER_FIELD.findall(text, pos, block_end)]
    if block_end == end:
        body = end  # no body: the part ends with its header block
    elif text.startswith("\n", block_end, end):
        body = block_end + 1
    elif text.startswith("\r\n", block_end, end):
        body = block_end + 2
    else:
        raise _Unusual  # a line that is neither a field nor blank ends the header block
    value = next((v for name, v in msg._headers if name.lower() == "content-type"), None)
    if value is None:
        ctype = "text/plain"
    elif value.isascii():  # what get_content_type() reads (not a Header object)
        ctype = value.partition(";")[0].strip().lower()
        ctype = ctype if ctype.count("/") == 1 else "text/plain"
    else:
        ctype = msg.get_content_type()
    maintype = ctype.partition("/")[0]
    if maintype == "message" or ctype == "multipart/digest":
        raise _Unusual  # parsed as mail in turn; a digest's parts default to message/rfc822
    if maintype != "multipart":
        msg._payload = text[body:end]
        return msg
    boundary = _boundary(msg, value)
    if (boundary is None or "\n" in boundary or "\r" in boundary or depth >= _MAX_DEPTH
            or str(msg.get("content-transfer-encoding", "8bit")).lower() not in _PLAIN_CTE):
        raise _Unusual
    marks = _boundary_lines(text, body, end, "--" + boundary)
    # One boundary line opens the first part, each part is followed by one, the last
    # one closes; consecutive boundary lines (an empty part) are read another way.
    if not marks or not marks[-1][2] or marks[0][2] or any(
            after == next_start for (_, after, _), (next_start, _, _) in pairwise(marks)):
        raise _Unusual
    if marks[0][0] > body:
        # RFC 2046: the line break before a boundary line belongs to the boundary.
        msg.preamble = _chop(text[body:marks[0][0]])
    children = []
    for (_, first, _), (stop, _, _) in pairwise(marks):
        child = _part(text, first, stop, depth + 1)
        if isinstance(child._payload, list):  # a multipart: its epilogue
            child.epilogue = None if child.epilogue == "" else _chop(child.epilogue)
        else:
            child._payload = _chop(child._payload)
        children.append(child)
    msg._payload = children
    msg.epilogue = text[marks[-1][1]:end]
    return msg


def _boundary(msg: email.message.Message, value: str) -> str | None:
    """``msg.get_boundary()``, where ``value`` is its first Content-Type value: read
    without the stdlib's general parameter parser when it has the simple form."""
    simple = _SIMPLE_BOUNDARY.fullmatch(value) if value.isascii() else None
    if simple is None:
        return msg.get_boundary()
    return (simple.group(1) or simple.group(2)).rstrip()


def _boundary_lines(text: str, start: int, end: int,
                    separator: str) -> list[tuple[int, int, bool]]:
    """(start, end, closes) of each line of ``text[start:end]`` that the feed parser
    takes for a ``separator`` boundary line, up to the first closing one."""
    marks = []
    pos = start
    while (found := text.find(separator, pos, end)) >= 0:
        if found != start and text[found - 1] != "\n":
            pos = found + 1  # not at a line start
            continue
        eol = text.find("\n", found, end)
        after = end if eol < 0 else eol + 1
        tail = _TAIL.match(text, found + len(separator), after)
        pos = after
        if tail is not None:
            closes = tail.group("end") is not None
            marks.append((found, after, closes))
            if closes:
                break
    return marks


def _chop(value: str) -> str:
    """``value`` without its last line break (one CRLF or LF)."""
    if value.endswith("\n"):
        return value[:-2] if value.endswith("\r\n") else value[:-1]
    return value


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
