"""Measuring one benchmark step in a child process, and the two baselines of
``benchmarks/run``.

``measure(argv)`` flushes what is waiting to be written to disk (``sync``, untimed), then
runs a command as a separate process and returns its wall time, its
CPU time (user + system, the child and every descendant it waited for, from
``os.wait4``), the peak RSS of its largest process (``ru_maxrss``), and, sampled every
50 ms from /proc, the peak RSS summed over its whole process tree and the most
processes it ran at once (multiprocessing's resource tracker not counted).

Run as a script it is the baselines' child process:

    python benchmarks/_measure.py read MBOX            # I/O limit: read the bytes
    python benchmarks/_measure.py parse MBOX --procs P # parse limit: split + parse

``parse`` splits the mbox like an import does (a "From " line after a blank line
starts a message, ">From " is unescaped), in batches of 500, and parses every message
with ``email.message_from_bytes``: in this process for ``--procs 1``, otherwise in P
worker processes (spawned, like the import's pool), each batch cut into P chunks. It
prints one JSON line: messages, bytes.
"""

from __future__ import annotations

import argparse
import email
import json
import multiprocessing
import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BATCH = 500
_SEPARATOR = re.compile(rb"From \S+")
_ESCAPED = re.compile(rb">+From ")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class Measured:
    """One child process run: times in seconds, memory in MB."""

    wall: float
    cpu: float
    max_rss_mb: float  # the largest single process (ru_maxrss)
    tree_rss_mb: float  # sampled peak of the whole process tree's RSS
    processes: int  # most processes of the tree at once, resource trackers not counted
    returncode: int
    stdout: str = ""
    stderr: str = ""
    extra: dict = field(default_factory=dict)

    def check(self, what: str) -> Measured:
        if self.returncode != 0:
            raise SystemExit(f"{what} failed (exit {self.returncode}):\n{self.stderr.strip()}"
                             f"\n{self.stdout.strip()}")
        return self


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                found += [int(p) for p in fh.read().split()]
    except OSError:
        pass
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def _helper(pid: int) -> bool:
    """multiprocessing's resource tracker: a helper process, not a worker."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"resource_tracker" in fh.read()
    except OSError:
        return False


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        current = todo.pop()
        seen.append(current)
        todo += _children(current)
    return seen


def measure(argv: Sequence[str], *, env: Mapping[str, str] | None = None,
            cwd: Path | None = None) -> Measured:
    """Run ``argv`` as a child process and measure it (see the module docstring).
    Whatever earlier steps left to write to disk is written first (``sync``, not
    timed): a step's figures hold its own work, not the write-back of the gigabyte an
    import or a copied store left in the page cache."""
    os.sync()
    started = time.perf_counter()
    proc = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(env) if env is not None else None, cwd=cwd)
    peak = {"rss": 0, "procs": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            pids = _tree(proc.pid)
            peak["rss"] = max(peak["rss"], sum(_rss_kb(p) for p in pids))
            peak["procs"] = max(peak["procs"], sum(not _helper(p) for p in pids))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out: list[bytes] = []
    err: list[bytes] = []
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()), daemon=True)
               for s, b in ((proc.stdout, out), (proc.stderr, err))]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    for reader in readers:
        reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(wall=wall, cpu=usage.ru_utime + usage.ru_stime,
                    max_rss_mb=usage.ru_maxrss / 1024, tree_rss_mb=peak["rss"] / 1024,
                    processes=max(1, peak["procs"]), returncode=proc.returncode,
                    stdout=b"".join(out).decode("utf-8", "replace"),
                    stderr=b"".join(err).decode("utf-8", "replace"))


# --- the baselines (run in the child) ------------------------------------------------------

def split_mbox(path: Path) -> Iterator[bytes]:
    """The raw messages of an mbox (mboxrd unescaping), in order."""
    lines: list[bytes] = []
    started = False
    previous_blank = True
    with path.open("rb") as fh:
        for line in fh:
            if previous_blank and _SEPARATOR.match(line):
                if started:
                    if lines and lines[-1] in (b"\n", b"\r\n"):
                        lines.pop()
                    yield b"".join(lines)
                started, lines, previous_blank = True, [], False
                continue
            previous_blank = line in (b"\n", b"\r\n")
            if _ESCAPED.match(line):
                line = line[1:]
            lines.append(line)
    if started:
        if lines and lines[-1] in (b"\n", b"\r\n"):
            lines.pop()
        yield b"".join(lines)


def _parse_chunk(raws: list[bytes]) -> int:
    for raw in raws:
        email.message_from_bytes(raw)
    return len(raws)


def parse_baseline(path: Path, procs: int) -> dict[str, int]:
    """Split ``path`` and parse every message with ``email.message_from_bytes``."""
    messages = size = 0
    batch: list[bytes] = []
    pool = multiprocessing.get_context("spawn").Pool(procs) if procs > 1 else None
    pending: list = []  # one batch parses in the workers while the next one is read

    def flush(keep: int) -> None:
        nonlocal messages
        if pool is None:
            messages += _parse_chunk(batch)
            return
        if batch:
            step = -(-len(batch) // procs)
            chunks = [batch[i:i + step] for i in range(0, len(batch), step)]
            pending.append(pool.map_async(_parse_chunk, chunks))
        while len(pending) > keep:
            messages += sum(pending.pop(0).get())

    try:
        for raw in split_mbox(path):
            size += len(raw)
            batch.append(raw)
            if len(batch) == BATCH:
                flush(keep=1)
                batch = []
        flush(keep=0)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return {"messages": messages, "bytes": size}


def read_baseline(path: Path) -> dict[str, int]:
    """Read the file's bytes in 1 MiB blocks."""
    size = 0
    with path.open("rb", buffering=0) as fh:
        while block := fh.read(1 << 20):
            size += len(block)
    return {"bytes": size}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="a baseline of benchmarks/run")
    parser.add_argument("what", choices=("read", "parse"))
    parser.add_argument("mbox", type=Path)
    parser.add_argument("--procs", type=int, default=1)
    args = parser.parse_args(argv)
    if args.what == "read":
        result = read_baseline(args.mbox)
    else:
        result = parse_baseline(args.mbox, args.procs)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
