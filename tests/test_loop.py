"""The correction loop end to end on the demo mailbox, through the real command line:
classify -> review -> the buyer edits the file -> report -> review again."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import mailfactory as mf
import pytest
from conftest import SAMPLES

from inbox_audit.classify.evaluate import scores
from inbox_audit.classify.model import ensure_model, fingerprint, training_corrections
from inbox_audit.classify.rules import load_rules
from inbox_audit.config import load_settings
from inbox_audit.corrections import load, read_table, undefuse
from inbox_audit.parties import Parties
from inbox_audit.store import Store
from inbox_audit.threads import build_threads, message_contexts

AS_OF = "2026-11-30T08:00"
TRUTH = {r["message_id"]: r["label"] for r in csv.DictReader(io.StringIO(
    (SAMPLES / "demo-truth.csv").read_text(encoding="utf-8")))}
# A deliberate relabel where the classifier already agrees with the truth: the nearest
# wrong reading a buyer could hold ("that check-in was really a revised quote").
RELABEL = {"quote": "follow-up", "follow-up": "quote", "request": "follow-up",
           "silence": "other", "other": "silence"}
# How a buyer types labels in a spreadsheet.
TYPED = {"follow-up": "Follow Up", "quote": "quote", "request": "Request",
         "silence": "SILENCE", "other": "other"}
NOTE = "prijs € 12.500 klopt niet — café, België, Brüssel, ça va"


@pytest.fixture
def demo(cli, tmp_path, demo_mbox, demo_config):
    """A demo store; its correction file is the default one beside the store."""
    store = tmp_path / "store.db"
    args = ("--config", demo_config, "--store", store, "-q")
    assert cli("import", demo_mbox, *args).exit_code == 0

    def run(*command: object):
        return cli(*command, *args)

    run.store, run.corrections = store, tmp_path / "corrections.csv"
    return run


def read_rows(path: Path) -> tuple[list[str], list[list[str]], str]:
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if text.splitlines()[0].count(";") else ","
    records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return records[0], records[1:], delimiter


def save_like_belgian_excel(path: Path, header: list[str], rows: list[list[str]]) -> None:
    # A Belgian spreadsheet saves with ';', and (LibreOffice's habit) without a BOM.
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def edit_like_a_user(path: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """10 corrections, 5 confirmations and one note; returns what was typed, by key."""
    header, rows, _ = read_rows(path)
    col = {name: i for i, name in enumerate(header)}
    corrected, confirmed, notes = {}, {}, {}
    for row in rows[:10]:  # the least confident ten: where a buyer starts
        key, predicted = row[col["message_id"]], row[col["predicted"]]
        wanted = TRUTH[key] if TRUTH[key] != predicted else RELABEL[predicted]
        row[col["correct"]] = TYPED[wanted]
        corrected[key] = wanted
    for row in rows[10:15]:
        row[col["correct"]] = TYPED[row[col["predicted"]]]
        confirmed[row[col["message_id"]]] = row[col["predicted"]]
    rows[3][col["note"]] = NOTE
    notes[rows[3][col["message_id"]]] = NOTE
    save_like_belgian_excel(path, header, rows)
    return corrected, confirmed, notes


def typed_values(path: Path) -> dict[str, tuple[str, str]]:
    return {r.key: (undefuse(r.get("correct")), undefuse(r.get("note")))
            for r in read_table(path).rows if r.get("correct") or r.get("note")}


def store_state(store: Path) -> tuple[list, list, int]:
    with sqlite3.connect(store) as conn:
        labels = conn.execute("SELECT * FROM classifications ORDER BY 1").fetchall()
        meta = conn.execute("SELECT * FROM meta ORDER BY 1").fetchall()
        count = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    return labels, meta, count


def test_full_loop_review_correct_report_review_again(demo, tmp_path):
    result = demo("review", "--all")
    assert result.exit_code == 0, result.output
    assert "204 rows (204 new" in result.output
    corrected, confirmed, notes = edit_like_a_user(demo.corrections)
    edited = demo.corrections.read_bytes()
    typed = typed_values(demo.corrections)
    assert len(typed) == 15

    out = tmp_path / "m.json"
    result = demo("report", "--all", "--as-of", AS_OF, "--json", out)
    assert result.exit_code == 0, result.output
    messages = {m["message_id"]: m for m in json.loads(out.read_text("utf-8"))["messages"]}
    for key, label in {**corrected, **confirmed}.items():
        assert (messages[key]["label"], messages[key]["source"]) == (label, "correction")
        assert messages[key]["confidence"] == 1.0
    assert sum(m["source"] == "correction" for m in messages.values()) == 15
    # The 10 corrections really differ from what the classifier said.
    header, rows, _ = read_rows(demo.corrections)
    predicted = {r[0]: r[header.index("predicted")] for r in rows}
    assert all(predicted[k] != v for k, v in corrected.items())

    result = demo("review", "--all")
    assert result.exit_code == 0, result.output
    assert "15 with your corrections or notes" in result.output
    assert typed_values(demo.corrections) == typed  # every typed value, verbatim
    assert notes.items() <= {k: v[1] for k, v in typed_values(demo.corrections).items()}.items()
    assert (tmp_path / "corrections.csv.bak").read_bytes() == edited
    header2, rows2, delimiter = read_rows(demo.corrections)
    assert delimiter == ";"  # the buyer's Excel saved with ';': we keep it
    assert [r[0] for r in rows2] == [r[0] for r in rows]  # nothing moved, nothing lost
    assert header2 == header


def test_the_report_refit_the_model_on_the_corrections(demo, tmp_path, demo_config):
    assert demo("review", "--all").exit_code == 0
    assert demo("report", "--all", "--as-of", AS_OF, "--json", tmp_path / "a.json"
                ).exit_code == 0
    edit_like_a_user(demo.corrections)
    assert demo("report", "--all", "--as-of", AS_OF, "--json", tmp_path / "b.json"
                ).exit_code == 0
    settings = load_settings(demo_config, env={}, explicit=True,
                             overrides={"store": demo.store})
    with Store.open(demo.store) as store:
        messages = list(store.iter_messages())
        stamps = set(store.classification_versions().values())
    parties = Parties(settings)
    contexts = message_contexts(messages, build_threads(messages, parties), parties)
    fixes = load(demo.corrections, {m.key for m in messages})
    wanted = training_corrections(fixes, messages, contexts)
    info = ensure_model(settings, wanted)
    # The model for exactly these 15 corrections exists already: the report trained it.
    assert not info.trained_now and info.corrections == 15
    plain = fingerprint(load_rules(settings.rules).digest, {})
    assert info.fingerprint != plain
    # Every stored label was made by the refit model, none by the one before.
    assert all(f"m{info.fingerprint[:10]}" in s for s in stamps)
    assert not any(f"m{plain[:10]}" in s for s in stamps)


def test_rows_of_deleted_messages_are_kept_flagged_and_do_not_block_the_report(
        cli, demo, tmp_path, demo_config):
    assert demo("review", "--all").exit_code == 0
    corrected, _, _ = edit_like_a_user(demo.corrections)
    typed = typed_values(demo.corrections)
    # The buyer rebuilds his store from a mailbox that lost the first corrected mail.
    gone = next(iter(corrected))
    smaller = tmp_path / "smaller.db"
    shutil.copy(demo.store, smaller)
    with sqlite3.connect(smaller) as conn:
        conn.execute("DELETE FROM messages WHERE key = ?", (gone,))
    args = ("--config", demo_config, "--store", smaller, "-q")
    report = cli("report", "--all", "--as-of", AS_OF, "--json", tmp_path / "m.json", *args)
    assert report.exit_code == 1
    assert f"unknown message '{gone}'" in report.output and "inbox-audit review" in report.output

    result = cli("review", "--all", *args)
    assert result.exit_code == 0, result.output
    assert "1 of messages no longer in the store" in result.output
    assert typed_values(demo.corrections) == typed
    flagged = [r for r in read_table(demo.corrections).rows if r.get("status")]
    assert [(r.key, r.get("status")) for r in flagged] == [(gone, "message no longer in store")]
    report = cli("report", "--all", "--as-of", AS_OF, "--json", tmp_path / "m.json", *args)
    assert report.exit_code == 0, report.output


# --- malformed files: refused whole, line by line, nothing applied ----------------------

def _unknown_label(rows, col):
    rows[4][col["correct"]] = "qoute"
    return ["line 6: unknown label 'qoute' (did you mean 'quote'?)"]


def _unknown_message(rows, col):
    rows[6][col["message_id"]] = "nobody@nowhere.example"
    rows[6][col["correct"]] = "quote"
    return ["line 8: unknown message 'nobody@nowhere.example'"]


def _conflict(rows, col):
    rows[20][col["message_id"]] = rows[0][col["message_id"]]
    rows[20][col["correct"]] = "silence" if rows[0][col["correct"]] != "SILENCE" else "quote"
    return ["line 22: message ", "here but to", "on line 2"]


def _several(rows, col):
    return [*_unknown_label(rows, col), *_unknown_message(rows, col)]


CASES = {"unknown label": _unknown_label, "unknown message": _unknown_message,
         "conflicting rows": _conflict, "several problems": _several}


@pytest.fixture
def applied(demo, tmp_path):
    """A demo whose valid corrections were applied by an earlier report."""
    assert demo("review", "--all").exit_code == 0
    edit_like_a_user(demo.corrections)
    assert demo("report", "--all", "--as-of", AS_OF, "--json", tmp_path / "ok.json"
                ).exit_code == 0
    return demo


def refused(demo, tmp_path, expected: list[str]) -> None:
    before, file_before = store_state(demo.store), demo.corrections.read_bytes()
    html, out = tmp_path / "r.html", tmp_path / "bad.json"
    result = demo("report", "--all", "--as-of", AS_OF, "--out", html, "--json", out)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert "refused, nothing applied" in lines[0] and "Traceback" not in result.output
    problems = [line.strip() for line in lines[1:]]
    assert all(p.startswith("line ") for p in problems)  # one line per problem
    assert len(problems) == sum(e.startswith("line ") for e in expected)
    for text in expected:
        assert any(text in p for p in problems), (text, problems)
    assert not html.exists() and not out.exists()
    assert store_state(demo.store) == before  # no label, stamp or count changed
    assert demo.corrections.read_bytes() == file_before  # the buyer's file as he left it


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_rows_are_refused_with_line_numbers(applied, tmp_path, case):
    header, rows, _ = read_rows(applied.corrections)
    expected = CASES[case](rows, {name: i for i, name in enumerate(header)})
    save_like_belgian_excel(applied.corrections, header, rows)
    refused(applied, tmp_path, expected)


def test_broken_csv_is_refused(applied, tmp_path):
    lines = applied.corrections.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines[5] = lines[5].replace(";", ';"', 1)  # an opening quote that never closes
    applied.corrections.write_text("".join(lines), encoding="utf-8-sig")
    refused(applied, tmp_path, ["line 6: broken CSV"])


def test_missing_column_is_refused(applied, tmp_path):
    header, rows, _ = read_rows(applied.corrections)
    save_like_belgian_excel(applied.corrections, ["message_id", "date", *header[2:6],
                                                  "corrected", *header[7:]], rows)
    refused(applied, tmp_path, ["line 1: missing column(s) correct"])


def test_review_refuses_a_file_it_cannot_merge_and_leaves_it_alone(applied, tmp_path):
    applied.corrections.write_bytes(b"id;label\r\nx;quote\r\n")
    result = applied("review", "--all")
    assert result.exit_code == 1 and "missing column(s) message_id, correct" in result.output
    assert applied.corrections.read_bytes() == b"id;label\r\nx;quote\r\n"


def test_review_keeps_a_typo_and_says_what_the_report_will_refuse(applied):
    header, rows, _ = read_rows(applied.corrections)
    rows[4][header.index("correct")] = "qoute"
    save_like_belgian_excel(applied.corrections, header, rows)
    result = applied("review", "--all")
    assert result.exit_code == 0
    assert "line 6: unknown label 'qoute'" in result.output
    assert "qoute" in [r.get("correct") for r in read_table(applied.corrections).rows]


# --- learning: corrections teach the model a pattern it did not know -------------------

# A supplier habit the classifier does not know: an offer announced as a "calculatie"
# in the running text, without the usual offer words, attachment or subject.
CALC = ["In navolging van uw vraag sturen wij u onze calculatie: voor {what} komt dit op "
        "{n} euro, plaatsing inbegrepen.",
        "Onze calculatie voor {what}: {n} euro excl. btw, levering op de werf inbegrepen.",
        "Na berekening komen wij voor {what} uit op {n} euro. Deze calculatie blijft 30 "
        "dagen geldig.",
        "Zoals gevraagd de calculatie voor {what}. Totaal: {n} euro, te betalen bij "
        "oplevering."]
WORK = ["de dakrenovatie", "de nieuwe ramen", "het stellingmateriaal", "de chape in de garage",
        "het schilderwerk", "de verhuur van een hoogtewerker", "de levering van zand",
        "het tegelwerk in de badkamer", "de isolatie van de zolder", "een nieuwe poort"]
PEOPLE = ["Koen Peeters", "Els Maes", "Bart Wouters", "Sarah Claes", "Pieter Jacobs",
          "Lien Janssens"]


def calc_mailbox(path: Path, count: int) -> dict[str, str]:
    """``count`` request/answer pairs with different suppliers; returns the truth."""
    raws, truth = [], {}
    for i in range(count):
        domain, what = f"bouwfirma-{i}.be", WORK[(i * 7) % len(WORK)]
        name = PEOPLE[i % len(PEOPLE)]
        day, amount = 1 + i % 25, 800 + (i * 379) % 8000
        request = f"calc-req-{i}@vdbroeck-bouw.be"
        raws.append(mf.mail(
            subject=f"Prijsvraag {what}", sender="Jan <jan@vdbroeck-bouw.be>",
            to=f"info@{domain}", date=f"Mon, {day:02d} Mar 2027 09:00:00 +0100",
            message_id=f"<{request}>",
            body=f"Dag,\n\nKunnen jullie mij een prijs bezorgen voor {what}?\n\nJan\n"))
        answer = f"calc-rep-{i}@{domain}"
        text = CALC[i % len(CALC)].format(what=what, n=amount)
        raws.append(mf.mail(
            subject=f"Re: Prijsvraag {what}", sender=f"{name} <{name.split()[0].lower()}@{domain}>",
            to="jan@vdbroeck-bouw.be", date=f"Tue, {day + 1:02d} Mar 2027 10:00:00 +0100",
            message_id=f"<{answer}>", extra=[("In-Reply-To", f"<{request}>")],
            body=f"Beste Jan,\n\n{text}\n\nMet vriendelijke groeten,\n{name}\n"))
        truth[request], truth[answer] = "request", "quote"
    mf.write(path, mf.mbox(raws))
    return truth


def held_out_scores(json_path: Path, truth: dict[str, str], keys: set[str]) -> dict:
    labels = {m["message_id"]: m["label"]
              for m in json.loads(json_path.read_text("utf-8"))["messages"]}
    return scores([(truth[k], labels[k]) for k in sorted(keys)])


@pytest.mark.slow
def test_corrections_teach_the_pattern_without_hurting_the_rest(demo, tmp_path):
    calc = calc_mailbox(tmp_path / "calc.mbox", 24)
    assert demo("import", tmp_path / "calc.mbox").exit_code == 0
    answers = sorted((k for k, v in calc.items() if v == "quote"),
                     key=lambda k: int(k.split("-")[2].split("@")[0]))
    taught, pattern_held_out = set(answers[:12]), set(answers[12:])
    before = tmp_path / "before.json"
    assert demo("report", "--all", "--as-of", AS_OF, "--json", before).exit_code == 0

    # The buyer reviews the first twelve answers and types "quote" on each of them.
    assert demo("review", "--all").exit_code == 0
    header, rows, _ = read_rows(demo.corrections)
    for row in rows:
        if row[0] in taught:
            row[header.index("correct")] = "quote"
    save_like_belgian_excel(demo.corrections, header, rows)
    after = tmp_path / "after.json"
    assert demo("report", "--all", "--as-of", AS_OF, "--json", after).exit_code == 0

    figures = {}
    for name, truth, keys in (("demo", TRUTH, set(TRUTH)),
                              ("pattern", calc, pattern_held_out)):
        figures[name] = (held_out_scores(before, truth, keys),
                         held_out_scores(after, truth, keys))
    print({name: (b["accuracy"], a["accuracy"], b["macro_f1"], a["macro_f1"])
           for name, (b, a) in figures.items()})
    demo_before, demo_after = figures["demo"]
    assert demo_after["accuracy"] >= demo_before["accuracy"]  # held out: not worse
    assert demo_after["macro_f1"] >= demo_before["macro_f1"] - 1e-9
    pattern_before, pattern_after = figures["pattern"]
    assert pattern_before["accuracy"] < 0.9  # the classifier did not know the pattern...
    assert pattern_after["accuracy"] > pattern_before["accuracy"]  # ...and learned it
    assert pattern_after["labels"]["quote"]["recall"] >= 0.9
