"""A report's JSON is written by a forked child while the HTML is made here; the child
is an optimisation only: whatever happens to it, the file is written (or its error
raised) as without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from inbox_audit import pipeline
from inbox_audit.config import load_settings
from inbox_audit.sidejob import can_fork, side_job

AS_OF = datetime.fromisoformat("2026-12-07T08:00:00+01:00")
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def _write_pid(path: Path) -> None:
    path.write_text(str(os.getpid()))


def _fresh(tmp_path: Path, code: str) -> dict:
    """Run ``code`` in a new interpreter (no other thread, as in the command) in
    ``tmp_path``; it prints one JSON object, returned here."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@needs_fork
def test_the_job_runs_in_a_child_while_the_block_runs_here(tmp_path):
    seen = _fresh(tmp_path, """
        import json, os
        from pathlib import Path
        from inbox_audit.sidejob import side_job
        with side_job(lambda: Path("pid").write_text(str(os.getpid()))) as forked:
            pass
        print(json.dumps({"forked": forked, "here": os.getpid(),
                          "there": int(Path("pid").read_text())}))
    """)
    assert seen["forked"]
    assert seen["there"] != seen["here"]


def test_without_fork_the_job_runs_here_first(tmp_path):
    out = tmp_path / "pid"
    with side_job(lambda: _write_pid(out), fork=False) as forked:
        assert out.read_text() == str(os.getpid())
    assert not forked


@needs_fork
def test_a_job_that_fails_in_the_child_is_done_again_here(tmp_path):
    seen = _fresh(tmp_path, """
        import json, os
        from pathlib import Path
        from inbox_audit.sidejob import side_job
        parent = os.getpid()

        def job():
            if os.getpid() != parent:
                raise OSError("no space left on device")
            Path("pid").write_text(str(os.getpid()))

        with side_job(job) as forked:
            pass
        print(json.dumps({"forked": forked, "here": parent,
                          "there": int(Path("pid").read_text())}))
    """)
    assert seen["forked"]
    assert seen["there"] == seen["here"]


@needs_fork
def test_its_error_is_raised_here(tmp_path):
    def job() -> None:
        raise OSError("no space left on device")

    with pytest.raises(OSError, match="no space"), side_job(job):
        pass


@needs_fork
def test_no_child_while_another_thread_runs(tmp_path):
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork()
        out = tmp_path / "pid"
        with side_job(lambda: _write_pid(out)) as forked:
            assert out.read_text() == str(os.getpid())
        assert not forked
    finally:
        stop.set()
        other.join()


@needs_fork
def test_an_error_here_stops_the_child_and_leaves_no_stray_file(tmp_path):
    seen = _fresh(tmp_path, """
        import json, threading
        from pathlib import Path
        from inbox_audit.sidejob import side_job

        def slow():
            Path("started").write_text("1")
            threading.Event().wait(30)
            Path("late").write_text("too late")

        try:
            with side_job(slow) as forked:
                while not Path("started").exists():
                    threading.Event().wait(0.01)
                raise RuntimeError("the HTML failed")
        except RuntimeError:
            pass
        print(json.dumps({"forked": forked}))
    """)
    assert seen["forked"]
    assert not (tmp_path / "late").exists()


@needs_fork
def test_report_json_is_the_same_with_or_without_the_html(demo_mbox, demo_config, tmp_path):
    settings = replace(load_settings(demo_config, env={}, explicit=True),
                       store=tmp_path / "store.db", corrections=tmp_path / "fixes.csv")
    pipeline.run_import(settings, [demo_mbox])
    out = tmp_path / "out"
    # Classified first: the next two reports differ in nothing but the HTML.
    pipeline.run_report(settings, period=pipeline.ALL, as_of=AS_OF, json_out=out / "first.json")
    both = pipeline.run_report(settings, period=pipeline.ALL, as_of=AS_OF,
                               html_out=out / "r.html", json_out=out / "both.json")
    pipeline.run_report(settings, period=pipeline.ALL, as_of=AS_OF, json_out=out / "alone.json")
    assert both.html_path.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype")
    assert (out / "both.json").read_bytes() == (out / "alone.json").read_bytes()
    assert json.loads((out / "both.json").read_text(encoding="utf-8"))["messages"]
    assert sorted(p.name for p in out.iterdir()) == ["alone.json", "both.json", "first.json",
                                                      "r.html"]
