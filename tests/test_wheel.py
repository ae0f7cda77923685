"""The built wheel carries rules/, templates/ and the demo: `pip install .` into a fresh
venv outside the checkout gives a working `inbox-audit demo`."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import REPO


def run(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=900)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, REPO,
                 cwd=out)
    assert result.returncode == 0, result.stderr
    (path,) = out.glob("inbox_audit-*.whl")
    return path


def test_wheel_contains_rules_templates_and_demo(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("inbox_audit/rules/") and n.endswith(".toml") for n in names)
    assert any(n.startswith("inbox_audit/templates/") for n in names)
    assert "inbox_audit/samples/demo.mbox" in names
    assert "inbox_audit/samples/demo.toml" in names
    # The classifier trains on first use from the labelled corpus: it must ship too.
    assert "inbox_audit/samples/labelled/train.mbox" in names
    assert "inbox_audit/samples/labelled/truth.csv" in names


@pytest.mark.slow
def test_installed_wheel_runs_the_demo_from_elsewhere(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    pip = env_dir / "bin" / "pip"
    installed = run(pip, "install", "-q", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run(env_dir / "bin" / "inbox-audit", "demo", "--out", "report.html",
                 cwd=elsewhere)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "report written to" in result.stdout
    assert (elsewhere / "report.html").stat().st_size > 10_000
