"""The standby classifier (a second process made ready while a report reads the store)
gives exactly what this process gives, and a standby that cannot help loses nothing."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

import pytest

from inbox_audit.classify import classify_messages, load_rules, message_facts, rules_digest
from inbox_audit.classify.model import ensure_model, load_model
from inbox_audit.classify.standby import Standby
from inbox_audit.config import Settings, load_settings
from inbox_audit.pipeline import ALL, open_store, run_import, run_report

pytestmark = pytest.mark.slow  # each test starts a process (imports, spaCy, model)


def test_standby_gives_the_in_process_labels_and_facts(demo_parsed):
    messages, contexts = demo_parsed
    rules, info = load_rules(), ensure_model(Settings())
    expected = classify_messages(messages, contexts, rules, load_model(info))
    with Standby(None) as standby:
        assert standby.classify(messages, contexts, rules.digest, info) == expected
        # The same process answers again: facts of the deals' messages.
        assert standby.facts(messages[:40], rules.digest) == [
            message_facts(m, rules) for m in messages[:40]]


def test_standby_with_other_rules_declines(demo_parsed, tmp_path):
    messages, contexts = demo_parsed
    # The rules changed between the start of the standby and the job: not the same job.
    with Standby(None) as standby:
        assert standby.classify(messages[:5], contexts, "0" * 64, None) is None
        # Still serving: a job with the right rules gets its answer.
        assert standby.facts(messages[:5], rules_digest()) is not None


def test_dead_standby_answers_none_and_the_report_loses_nothing(tmp_path, demo_mbox,
                                                                demo_config, monkeypatch):
    standby = Standby(None)
    standby._process.kill()
    standby._process.join()
    assert standby.classify([], {}, rules_digest(), None) is None
    standby.close()

    # A report whose standby dies before it is asked classifies in this process.
    class DeadStandby(Standby):
        def __init__(self, rules_folder):
            super().__init__(rules_folder)
            self._process.kill()
            self._process.join()

    settings = load_settings(demo_config, env={}, explicit=True)
    settings = replace(settings, store=tmp_path / "s.db",
                       corrections=tmp_path / "corrections.csv")
    run_import(settings, [demo_mbox])
    as_of = _as_of(settings)
    run_report(settings, period=ALL, as_of=as_of, json_out=tmp_path / "a.json")
    with sqlite3.connect(settings.store_path) as db:  # as if 7 mails just came in
        db.execute("DELETE FROM classifications WHERE key IN "
                   "(SELECT key FROM messages ORDER BY rowid DESC LIMIT 7)")
    db.close()
    monkeypatch.setattr("inbox_audit.pipeline.Standby", DeadStandby)
    again = run_report(settings, period=ALL, as_of=as_of, json_out=tmp_path / "b.json")
    assert again.classified == 7
    first, second = (json.loads((tmp_path / name).read_text(encoding="utf-8"))
                     for name in ("a.json", "b.json"))
    assert second["stats"]["classified_now"] == 7
    assert {**first, "stats": None} == {**second, "stats": None}


def _as_of(settings):
    from inbox_audit.pipeline import demo_as_of

    with open_store(settings) as store:
        return demo_as_of(list(store.iter_messages(light=True)), settings)
