"""The command line end to end on the bundled demo mailbox, with a real SQLite store."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

SPEC_TOTALS = {"messages", "requests", "quotes", "quote_within_sla_rate",
               "next_day_followup_rate", "response_rate", "median_first_response_wd",
               "open_silences"}
SPEC_DEAL = {"deal_id", "supplier", "subject", "opened", "request_message_id",
             "first_response_wd", "quote_wd", "followup_after_quote_wd", "buyer_chases",
             "quote_amount", "currency", "high_intent", "status", "silent_wd"}
SPEC_MESSAGE = {"message_id", "deal_id", "label", "confidence", "source"}
AS_OF = "2026-11-30T08:00:00+01:00"


def imported_count(output: str) -> int:
    match = re.search(r"imported (\d+)", output)
    assert match, output
    return int(match.group(1))


def test_import_twice_imports_nothing_new(cli, demo_mbox, store_path):
    first = cli("import", demo_mbox, "--store", store_path, "--quiet")
    assert first.exit_code == 0, first.output
    assert imported_count(first.output) > 100
    second = cli("import", demo_mbox, "--store", store_path, "--quiet")
    assert second.exit_code == 0, second.output
    assert imported_count(second.output) == 0


def test_report_json_has_every_spec_key(cli, demo_mbox, demo_config, store_path, tmp_path):
    assert cli("import", demo_mbox, "--store", store_path, "-q").exit_code == 0
    out = tmp_path / "m.json"
    html = tmp_path / "r.html"
    result = cli("report", "--store", store_path, "--config", demo_config, "--all",
                 "--as-of", AS_OF, "--json", out, "--out", html, "-q")
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "inbox-audit/metrics/v1"
    assert {"schema", "as_of", "period", "totals", "suppliers", "deals",
            "messages"} <= set(data)
    assert set(data["totals"]) >= SPEC_TOTALS
    assert data["deals"] and all(set(d) >= SPEC_DEAL for d in data["deals"])
    assert data["messages"] and all(set(m) >= SPEC_MESSAGE for m in data["messages"])
    assert all("supplier" in s and "name" in s for s in data["suppliers"])
    assert not any(m["message_id"].startswith("<") for m in data["messages"])
    # Unknown figures are null, never 0: a deal never quoted has no quote_wd.
    unquoted = [d for d in data["deals"] if d["status"].startswith("awaiting quote")]
    assert unquoted and all(d["quote_wd"] is None for d in unquoted)
    assert data["totals"]["requests"] >= 40
    assert "<html" in html.read_text(encoding="utf-8").lower()


def test_report_is_stable_when_rerun(cli, demo_mbox, demo_config, store_path, tmp_path):
    cli("import", demo_mbox, "--store", store_path, "-q")
    args = ("report", "--store", store_path, "--config", demo_config, "--all",
            "--as-of", AS_OF, "-q")
    first = cli(*args, "--json", tmp_path / "a.json")
    second = cli(*args, "--json", tmp_path / "b.json")
    assert "classified now" in second.output and "(0 messages classified now)" in second.output
    a = json.loads((tmp_path / "a.json").read_text())
    b = json.loads((tmp_path / "b.json").read_text())
    # Only the run's own bookkeeping may differ: the figures must be the same.
    a.pop("stats", None)
    b.pop("stats", None)
    assert a == b, first.output


def test_demo_writes_the_report_and_says_where(cli, tmp_path):
    out = tmp_path / "demo.html"
    result = cli("demo", "--out", out, "-q")
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize("args", [
    ("report", "--week", "2026-47"),
    ("report", "--as-of", "yesterday"),
    ("import", "/no/such/mailbox.mbox"),
    ("report", "--config", "/no/such/config.toml"),
])
def test_user_errors_are_one_line_and_exit_1(cli, args, store_path):
    result = cli(*args, "--store", store_path)
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert len(result.output.strip().splitlines()) == 1, result.output
    else:  # click's usage error: usage line, hint, and the error
        assert "Error:" in result.output


def test_a_store_that_is_not_sqlite_is_refused(cli, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    result = cli("report", "--store", bad, "--all")
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_bad_usage_exits_2(cli):
    assert cli("report", "--week", "2026-W47", "--all").exit_code == 2
    assert cli("frobnicate").exit_code == 2


def test_python_dash_m_works(tmp_path):
    result = subprocess.run([sys.executable, "-m", "inbox_audit", "--help"],
                            capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.returncode == 0 and "Example:" in result.stdout


def test_the_command_ends_with_its_exit_code_and_all_its_output(tmp_path, demo_mbox):
    # The real process ends without freeing its objects (cli._leave): what it printed
    # and wrote must all be there, with the exit code click chose.
    def run(*args):
        return subprocess.run([sys.executable, "-m", "inbox_audit", *map(str, args)],
                              capture_output=True, text=True, cwd=tmp_path, check=False,
                              timeout=600)

    done = run("demo", "--out", tmp_path / "demo.html", "--json", tmp_path / "demo.json")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(f"report written to {tmp_path / 'demo.html'}\n")
    assert json.loads((tmp_path / "demo.json").read_text(encoding="utf-8"))["deals"]
    assert (tmp_path / "demo.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    # A report ends its process itself, once it has said what it wrote.
    store = tmp_path / "store.db"
    assert run("import", demo_mbox, "--store", store, "-q").returncode == 0
    done = run("report", "--store", store, "--all", "--as-of", "2026-12-07T08:00",
               "--out", tmp_path / "r.html", "--json", tmp_path / "r.json", "-q")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(f"written {tmp_path / 'r.html'}\nwritten {tmp_path / 'r.json'}\n")
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["deals"]
    assert (tmp_path / "r.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    missing = run("report", "--config", tmp_path / "nothing.toml")
    assert missing.returncode == 1
    assert missing.stderr.startswith("Error:") and len(missing.stderr.splitlines()) == 1
    assert run("frobnicate").returncode == 2


def test_config_errors_name_the_key(cli, tmp_path, store_path):
    config = tmp_path / "c.toml"
    config.write_text("quote_sla_wd = 'vijf'\n", encoding="utf-8")
    result = cli("report", "--config", config, "--store", store_path, "--all")
    assert result.exit_code == 1
    assert "quote_sla_wd" in result.output


def test_wrong_corrections_file_is_refused_with_line_numbers(cli, demo_mbox, demo_config,
                                                             tmp_path):
    store = tmp_path / "s.db"
    cli("import", demo_mbox, "--store", store, "-q")
    fixes = tmp_path / "corrections.csv"
    fixes.write_text("message_id,correct\nnot-a-message@x,quote\n", encoding="utf-8")
    config = tmp_path / "c.toml"
    # Top-level keys must come before the file's tables.
    config.write_text(f'corrections = "{fixes}"\n'
                      + Path(demo_config).read_text(encoding="utf-8"), encoding="utf-8")
    result = cli("report", "--config", config, "--store", store, "--all", "--json",
                 tmp_path / "m.json")
    assert result.exit_code == 1
    assert "line 2" in result.output and "unknown message" in result.output
    assert not (tmp_path / "m.json").exists()
