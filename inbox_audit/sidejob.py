"""One job done by a forked copy of this process while this one goes on.

A report writes two files from the same figures: the JSON (about a second on 100,000
messages: every message is listed) and the HTML. On two cores a forked child writes one
while this process writes the other. The child is a copy of this process, so it needs
nothing sent to it; it only writes a file and ends without running any exit handler.

Nothing depends on the child: when it cannot start (no ``fork``, as on Windows; other
threads running, which makes forking unsafe) the job runs here, before the rest; when
it fails or is killed, the job runs here again after the rest, so its error (a full
disk, a folder that cannot be written) is raised here, as it would be without a child.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress


@contextmanager
def side_job(job: Callable[[], object], *, fork: bool = True) -> Iterator[bool]:
    """Run ``job()`` alongside the ``with`` block; done when the block is left. Yields
    whether a child does it. ``fork=False`` runs it here, first."""
    pid = _start(job) if fork else None
    if pid is None:
        job()
        yield False
        return
    try:
        yield True
    except BaseException:
        _stop(pid)
        raise
    if not _succeeded(pid):
        job()


def can_fork() -> bool:
    """Whether a child can be forked safely: the platform has ``fork`` and this process
    runs no other thread (a lock held by one would stay locked in the child)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def _start(job: Callable[[], object]) -> int | None:
    if not can_fork():
        return None
    for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
        with suppress(OSError, ValueError, AttributeError):
            stream.flush()
    try:
        pid = os.fork()
    except OSError:
        return None  # no memory or process left for a child: do it here
    if pid:
        return pid
    # The child: do the job and end at once, without the parent's exit handlers and
    # buffered output (os._exit). Ctrl-C or the parent's stop raise here, so the job
    # cleans up after itself (a half-written file is removed) before the child ends.
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _stopped)
        job()
        code = 0
    finally:
        os._exit(code)


def _stopped(signum: int, frame: object) -> None:
    raise SystemExit(1)


def _succeeded(pid: int) -> bool:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return False
    return os.waitstatus_to_exitcode(status) == 0


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
