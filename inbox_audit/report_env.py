"""The Jinja environment of the report and of the report mail: everything escaped, an
unknown name an error, and each template compiled once per user, not on every run.

Compiling ``report.html.j2`` took about a tenth of a second of every report. Jinja's
bytecode cache keeps the compiled template in the user cache folder (beside the
classifier's model), checked against the template's source and the Jinja and Python
versions, so an edited template or an upgrade is compiled again. A cache folder that
cannot be made, read or written is no error: the template is then compiled as before.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import platformdirs
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from jinja2.bccache import Bucket

from inbox_audit.resources import templates_dir

APP = "inbox-audit"


class _QuietCache(FileSystemBytecodeCache):
    """Jinja's file cache, for which a file it cannot read or write is a cache miss."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def cache_dir() -> Path:
    """Where the compiled templates are kept."""
    return Path(platformdirs.user_cache_dir(APP)) / "templates"


@functools.cache
def environment() -> Environment:
    """The one environment of this process (it keeps the templates it loaded)."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        cache: FileSystemBytecodeCache | None = _QuietCache(str(folder))
    except OSError:
        cache = None
    return Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       bytecode_cache=cache)
